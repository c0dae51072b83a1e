import { describe, expect, it } from "vitest";
import { validationError } from "../errors.js";
import { toFieldErrors } from "../http/validate.js";
import { isCommonPassword } from "../users/password-rules.js";
import { loginBody, registerBody } from "./auth.schemas.js";
import { codeOf, valid } from "./test-support.js";

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
