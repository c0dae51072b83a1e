import { describe, expect, it } from "vitest";
import { AppError } from "../errors.js";
import { FRESH_SIGN_IN_MS, type IdentityProof, proveIdentity } from "./reauthenticate.js";

/** SPEC §20: the password when the account has one; otherwise a sign-in within the last 10 minutes. */
describe("proveIdentity", () => {
  const now = new Date("2030-01-01T12:00:00Z");
  const ago = (ms: number) => async () => new Date(now.getTime() - ms);
  const proof = (over: Partial<IdentityProof>): IdentityProof => ({
    passwordHash: "hash-of:right",
    password: "right",
    signedInAt: ago(FRESH_SIGN_IN_MS * 100),
    now,
    verifyPassword: async (plain, hash) => hash === `hash-of:${plain}`,
    ...over,
  });
  const codeOf = async (p: IdentityProof) =>
    proveIdentity(p).then(
      () => "OK",
      (error: AppError) => error.code,
    );

  it("accepts the right password, however old the session", async () => {
    expect(await codeOf(proof({}))).toBe("OK");
  });

  it("refuses a wrong or missing password with WRONG_PASSWORD, however fresh the session", async () => {
    expect(await codeOf(proof({ password: "wrong", signedInAt: ago(0) }))).toBe("WRONG_PASSWORD");
    expect(await codeOf(proof({ password: undefined, signedInAt: ago(0) }))).toBe("WRONG_PASSWORD");
  });

  it("an account without a password: a sign-in within 10 minutes, else REAUTHENTICATION_REQUIRED", async () => {
    const none = { passwordHash: null, password: undefined };
    expect(await codeOf(proof({ ...none, signedInAt: ago(FRESH_SIGN_IN_MS - 1000) }))).toBe("OK");
    expect(await codeOf(proof({ ...none, signedInAt: ago(FRESH_SIGN_IN_MS + 1000) }))).toBe(
      "REAUTHENTICATION_REQUIRED",
    );
    expect(await codeOf(proof({ ...none, signedInAt: async () => undefined }))).toBe("REAUTHENTICATION_REQUIRED");
    // A password sent for an account without one proves nothing more than the session.
    expect(await codeOf(proof({ passwordHash: null, password: "x", signedInAt: ago(FRESH_SIGN_IN_MS * 2) }))).toBe(
      "REAUTHENTICATION_REQUIRED",
    );
    const error = await proveIdentity(proof({ ...none })).catch((e: AppError) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe("Log in again to continue");
  });
});
