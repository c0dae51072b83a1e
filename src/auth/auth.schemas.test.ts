import { describe, expect, it } from "vitest";
import { validationError } from "../errors.js";
import { toFieldErrors } from "../http/validate.js";
import { loginBody, registerBody } from "./auth.schemas.js";
import { codeOf, valid } from "./test-support.js";

describe("register body: names", () => {
  it.each([
    ["José"],
    ["Zoë"],
    ["Mary-Jane"],
    ["O’Brien"],
    ["O'Brien"],
    ["Nguyễn Văn An"],
    ["Dr. Ada Lovelace"],
    ["李小龍"],
    ["Александр Пушкин"],
    ["محمد"],
  ])("accepts the full name %s", (name) => {
    expect(codeOf({ email: valid.email, password: valid.password, name })).toBe("OK");
  });

  it.each([["José"], ["Zoë"], ["Mary-Jane"], ["O’Brien"], ["Nguyễn"]])("accepts the first name %s", (firstName) => {
    expect(codeOf({ ...valid, firstName })).toBe("OK");
  });

  it.each([
    ["digits", "Ada2"],
    ["a less-than sign", "<script>"],
    ["an at sign", "ada@home"],
    ["an emoji", "Ada 😀"],
    ["a control character", "Ada\u0000"],
    ["a tab", "Ada\tLovelace"],
    ["only punctuation", "-'"],
  ])("refuses a name with %s as INVALID_NAME", (_label, name) => {
    expect(codeOf({ email: valid.email, password: valid.password, name })).toBe("INVALID_NAME");
  });

  it.each([
    ["only Hangul fillers (U+3164)", "\u3164\u3164"],
    ["only choseong/jungseong fillers (U+115F, U+1160)", "\u115f\u1160"],
    ["only halfwidth Hangul fillers (U+FFA0)", "\uffa0"],
    ["only the blank Braille pattern (U+2800)", "\u2800\u2800"],
    ["fillers and spaces", "\u3164 \u3164"],
    ["4 combining marks on one letter", "Ada\u0301\u0302\u0303\u0304"],
    ["Zalgo text", "Z\u0351\u0364\u0308\u0350\u036da\u0357\u0346lgo"],
  ])("refuses a name of %s as INVALID_NAME", (_label, name) => {
    expect(codeOf({ email: valid.email, password: valid.password, name })).toBe("INVALID_NAME");
    expect(codeOf({ ...valid, firstName: name })).toBe("INVALID_NAME");
  });

  it.each([
    ["3 combining marks on one letter", "Ada\u0301\u0302\u0303"],
    ["Vietnamese written decomposed", "Nguyễn Văn An".normalize("NFD")],
    ["Hindi", "अनुष्का शर्मा"],
    ["Thai", "สมชาย ใจดี"],
    ["a Hangul name", "김민준"],
  ])("accepts a name with %s", (_label, name) => {
    expect(codeOf({ email: valid.email, password: valid.password, name })).toBe("OK");
  });

  it.each([["St. John"], ["Smith Jr."], ["St.John"], ["Jr."]])(
    "accepts the last name %s (periods in every name field)",
    (lastName) => {
      expect(codeOf({ ...valid, lastName })).toBe("OK");
    },
  );

  it("accepts a period in firstName and keeps it as given", () => {
    const parsed = registerBody.parse({ ...valid, firstName: "J. R. R.", lastName: "St. John" });
    expect(parsed).toMatchObject({ firstName: "J. R. R.", lastName: "St. John" });
  });

  it.each([
    ["a period alone", "."],
    ["periods and spaces", ". ."],
    ["periods, hyphens and apostrophes", ".-'"],
  ])("refuses %s in a name field as INVALID_NAME (a name needs a letter)", (_label, name) => {
    expect(codeOf({ ...valid, lastName: name })).toBe("INVALID_NAME");
    expect(codeOf({ ...valid, firstName: name })).toBe("INVALID_NAME");
    expect(codeOf({ email: valid.email, password: valid.password, name })).toBe("INVALID_NAME");
  });

  it("refuses a full name over 255 characters and a name part over 100 as NAME_TOO_LONG", () => {
    expect(codeOf({ email: valid.email, password: valid.password, name: "a".repeat(256) })).toBe("NAME_TOO_LONG");
    expect(codeOf({ email: valid.email, password: valid.password, name: "a".repeat(255) })).toBe("OK");
    expect(codeOf({ ...valid, lastName: "b".repeat(101) })).toBe("NAME_TOO_LONG");
    expect(codeOf({ ...valid, lastName: "b".repeat(100) })).toBe("OK");
  });

  it("trims and collapses inner whitespace, then stores NFC", () => {
    const parsed = registerBody.parse({ ...valid, name: "  Ada \u00a0  Lovelace ", firstName: "Zoe\u0308" });
    expect(parsed.name).toBe("Ada Lovelace");
    expect(parsed.firstName).toBe("Zoë");
  });

  it("takes first_name and last_name as aliases", () => {
    const parsed = registerBody.parse({
      email: valid.email,
      password: valid.password,
      first_name: "Ada",
      last_name: "L",
    });
    expect(parsed).toMatchObject({ firstName: "Ada", lastName: "L" });
  });

  it("needs name, or both firstName and lastName", () => {
    expect(codeOf({ email: valid.email, password: valid.password })).toBe("MISSING_FIELDS");
    expect(codeOf({ email: valid.email, password: valid.password, firstName: "Ada" })).toBe("MISSING_FIELDS");
    expect(codeOf({ email: valid.email, password: valid.password, name: "   ", firstName: "Ada" })).toBe(
      "MISSING_FIELDS",
    );
  });
});

describe("register body: e-mail", () => {
  it("trims and lower-cases", () => {
    expect(registerBody.parse({ ...valid, email: "  Ada@Example.COM " }).email).toBe("ada@example.com");
  });

  it.each([
    ["no at sign", "ada.example.com"],
    ["no dot in the domain", "ada@localhost"],
    ["a space inside", "ada lovelace@example.com"],
    ["two at signs", "a@b@example.com"],
    ["a domain label starting with a hyphen", "ada@-example.com"],
    ["255 characters", `${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(59)}.com`],
  ])("refuses an address with %s as INVALID_EMAIL", (_label, email) => {
    expect(codeOf({ ...valid, email })).toBe("INVALID_EMAIL");
  });

  it.each([["ada+tag@example.co.uk"], ["o'brien@example.ie"], ["x@a-b.example"]])("accepts %s", (email) => {
    expect(codeOf({ ...valid, email })).toBe("OK");
  });
});

describe("register body: structure", () => {
  it("reports every field problem at once, the first in SPEC order at the top", () => {
    const result = registerBody.safeParse(
      { email: "nope", password: "short", firstName: "R2D2", lastName: 42 },
      { reportInput: true },
    );
    expect(result.success).toBe(false);
    const error = validationError(toFieldErrors(result.error?.issues ?? []));
    expect(error.code).toBe("INVALID_TYPE");
    expect(error.message).toBe("lastName must be a string");
    expect(error.details?.map((d) => [d.field, d.code])).toEqual([
      ["lastName", "INVALID_TYPE"],
      ["email", "INVALID_EMAIL"],
      ["password", "WEAK_PASSWORD"],
      ["firstName", "INVALID_NAME"],
    ]);
  });

  it.each([
    ["missing", {}, "MISSING_FIELDS"],
    ["null", { email: null }, "MISSING_FIELDS"],
    ["blank", { email: "  " }, "MISSING_FIELDS"],
    ["a number", { email: 5 }, "INVALID_TYPE"],
    ["an array", { email: ["a@b.co"] }, "INVALID_TYPE"],
    ["an object", { email: { $gt: "" } }, "INVALID_TYPE"],
  ])("an e-mail that is %s → %s", (_label, patch, expected) => {
    const { email: _, ...rest } = valid;
    expect(codeOf({ ...rest, ...patch })).toBe(expected);
  });

  it("ignores unknown fields and never takes role, isAdmin, id or createdAt from a body", () => {
    const parsed = registerBody.parse({ ...valid, role: "admin", isAdmin: true, id: "x", createdAt: "2000-01-01" });
    expect(Object.keys(parsed).sort()).toEqual(["email", "firstName", "lastName", "password"]);
  });

  it("refuses a body that is not an object", () => {
    expect(codeOf([valid])).toBe("INVALID_TYPE");
    expect(codeOf("text")).toBe("INVALID_TYPE");
  });
});

describe("login body", () => {
  it("lower-cases the e-mail and normalises the password like registration does", () => {
    expect(loginBody.parse({ email: " Ada@Example.com", password: "ﬀﬀﬀﬀ" })).toEqual({
      email: "ada@example.com",
      password: "ffffffff",
    });
  });

  it("requires both fields as strings", () => {
    const result = loginBody.safeParse({ password: 12 }, { reportInput: true });
    const error = validationError(toFieldErrors(result.error?.issues ?? []));
    expect(error.code).toBe("MISSING_FIELDS");
    expect(error.details).toEqual([
      { field: "email", code: "MISSING_FIELDS", message: "email is required" },
      { field: "password", code: "INVALID_TYPE", message: "password must be a string" },
    ]);
  });
});
