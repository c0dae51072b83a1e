import { describe, expect, it } from "vitest";
import { validationError } from "../errors.js";
import { toFieldErrors } from "../http/validate.js";
import { isCommonPassword, loginBody, registerBody } from "./auth.schemas.js";

const valid = { email: "ada@example.com", password: "correct horse battery", firstName: "Ada", lastName: "Lovelace" };

/** Parses a register body and returns the top-level error code, or "OK". */
function codeOf(body: unknown): string {
  const result = registerBody.safeParse(body, { reportInput: true });
  return result.success ? "OK" : validationError(toFieldErrors(result.error.issues)).code;
}

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

describe("register body: password", () => {
  it.each([
    ["7 characters", "Tr0ub4d", "WEAK_PASSWORD"],
    ["8 characters", "Tr0ub4d!", "OK"],
    ["8 code points of 4 bytes each (32 bytes)", "😀🎉🐍🚀😀🎉🐍🚀", "OK"],
    ["7 code points that are 14 UTF-16 units", "😀😀😀😀😀😀😀", "WEAK_PASSWORD"],
    ["72 bytes", "a1".repeat(36), "OK"],
    ["73 bytes", `${"a1".repeat(36)}x`, "PASSWORD_TOO_LONG"],
    ["19 three-byte characters (57 bytes)", `${"€₤".repeat(9)}€`, "OK"],
    ["25 three-byte characters (75 bytes)", "€".repeat(25), "PASSWORD_TOO_LONG"],
    ["a common password", "password1", "PASSWORD_TOO_COMMON"],
    ["a common password in capitals", "PASSWORD1", "PASSWORD_TOO_COMMON"],
    ["a lone surrogate", "abcdefgh\ud800", "INVALID_TYPE"],
  ])("%s → %s", (_label, password, expected) => {
    expect(codeOf({ ...valid, password })).toBe(expected);
  });

  it("counts length after NFKC normalisation (ligature ﬀ becomes ff)", () => {
    // "ﬀ" is one code point that NFKC turns into two.
    expect(codeOf({ ...valid, password: "ﬁﬂﬀﬁ" })).toBe("OK");
    expect(registerBody.parse({ ...valid, password: "ﬁﬂﬀﬁ" }).password).toBe("fiflfffi");
  });

  it("knows the common-password list", () => {
    expect(isCommonPassword("qwertyuiop")).toBe(true);
    expect(isCommonPassword("correct horse battery")).toBe(false);
  });
});

/** The password's field error for a register body (details[].message says why), or "OK". */
function passwordError(body: Record<string, unknown>) {
  const result = registerBody.safeParse({ ...valid, ...body }, { reportInput: true });
  if (result.success) return "OK";
  const error = validationError(toFieldErrors(result.error.issues));
  const detail = error.details?.find((d) => d.field === "password");
  return { top: [error.code, error.message], password: detail && [detail.code, detail.message] };
}

const tooCommon = (reason: string) => ({
  top: ["PASSWORD_TOO_COMMON", "Password is too common"],
  password: ["PASSWORD_TOO_COMMON", reason],
});

describe("register body: password patterns and context (NIST SP 800-63B-4)", () => {
  const BLANK = "Password must contain visible characters, not only spaces or invisible ones";
  it.each([
    ["8 spaces", " ".repeat(8), BLANK],
    ["8 zero-width spaces (U+200B, Cf)", "\u200b".repeat(8), BLANK],
    ["8 no-break and ideographic spaces (Zs)", "\u00a0\u3000".repeat(4), BLANK],
    ["BOM, word joiner and soft hyphens (Cf)", "\ufeff\u2060\u00ad\u200d".repeat(2), BLANK],
    ["Hangul fillers and blank Braille", "\u3164\u115f\u1160\u2800".repeat(2), BLANK],
    ["tabs and newlines", "\t\n".repeat(4), BLANK],
    ["8 NULs", "\u0000".repeat(8), "Password must not contain the NUL character"],
    ["a NUL inside", "Tr0ub4d!\u0000xyz", "Password must not contain the NUL character"],
    ["one character repeated", "aaaaaaaa", "Password must not be one character repeated"],
    ["one character repeated in mixed case", "zZzZzZzZzZ", "Password must not be one character repeated"],
    [
      "one character with invisible ones between",
      "q\u200bq\u200bq\u200bq\u200b",
      "Password must not be one character repeated",
    ],
    ["one emoji repeated", "😀".repeat(8), "Password must not be one character repeated"],
    ["letters in order", "abcdefgh", "Password must not be a plain sequence such as abcdefgh or 12345678"],
    ["letters in order, capitals", "KLMNOPQRS", "Password must not be a plain sequence such as abcdefgh or 12345678"],
    ["digits in order", "23456789", "Password must not be a plain sequence such as abcdefgh or 12345678"],
    ["digits in reverse", "87654321", "Password must not be a plain sequence such as abcdefgh or 12345678"],
    ["the service's name", "portico123", "Password must not contain the name of this service"],
    ["the service's name in capitals", "MyPORTICOpass", "Password must not contain the name of this service"],
    [
      "the service's name split by a zero-width space",
      "port\u200bico-2026!",
      "Password must not contain the name of this service",
    ],
  ])("refuses %s as PASSWORD_TOO_COMMON, saying why", (_label, password, reason) => {
    expect(passwordError({ password })).toEqual(tooCommon(reason));
  });

  it("refuses the e-mail's local part (4 characters or more), in any case", () => {
    const email = "grace.hopper@example.com";
    const reason = "Password must not contain your email address";
    expect(passwordError({ email, password: "Grace.Hopper1906" })).toEqual(tooCommon(reason));
    expect(passwordError({ email: "  GRACE.hopper@Example.com ", password: "x-grace.hopper-x" })).toEqual(
      tooCommon(reason),
    );
    expect(passwordError({ email: "bob@example.com", password: "bob loves cats" })).toBe("OK");
  });

  it("refuses a part of the person's name of 4 characters or more, from name, firstName or lastName", () => {
    const reason = "Password must not contain your name";
    expect(passwordError({ password: "lovelace-rocks" })).toEqual(tooCommon(reason));
    expect(passwordError({ firstName: "Grace", lastName: "Hopper", password: "amazing GRACE 2" })).toEqual(
      tooCommon(reason),
    );
    expect(passwordError({ name: "Mary-Jane O’Connell", password: "i am connell now" })).toEqual(tooCommon(reason));
    expect(passwordError({ name: "Zoë Saldaña", password: "zoë's secret!" })).toBe("OK");
    expect(passwordError({ name: "Zoë Saldaña", password: "SALDAÑA forever" })).toEqual(tooCommon(reason));
  });

  it("keeps the common-password list's own message for 12345678", () => {
    expect(passwordError({ password: "12345678" })).toEqual(tooCommon("Password is too common"));
  });

  it("accepts ordinary passphrases and keeps length and byte limits first", () => {
    expect(passwordError({ password: "correct horse battery" })).toBe("OK");
    expect(passwordError({ password: "abcdefgz" })).toBe("OK");
    expect(passwordError({ password: "a1a1a1a1" })).toBe("OK");
    expect(codeOf({ ...valid, password: "aaaa" })).toBe("WEAK_PASSWORD");
    expect(codeOf({ ...valid, password: " ".repeat(7) })).toBe("WEAK_PASSWORD");
    expect(codeOf({ ...valid, password: "a".repeat(73) })).toBe("PASSWORD_TOO_LONG");
  });

  it("reports a context problem together with the other fields' problems", () => {
    const result = registerBody.safeParse(
      { ...valid, firstName: "R2D2", password: "lovelace!!" },
      { reportInput: true },
    );
    const error = validationError(toFieldErrors(result.error?.issues ?? []));
    expect(error.details?.map((d) => [d.field, d.code])).toEqual([
      ["password", "PASSWORD_TOO_COMMON"],
      ["firstName", "INVALID_NAME"],
    ]);
  });

  it("does not change what login accepts", () => {
    for (const password of [" ".repeat(8), "aaaaaaaa", "12345678", "portico123", "lovelace-rocks"])
      expect(loginBody.safeParse({ email: valid.email, password }).success).toBe(true);
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
