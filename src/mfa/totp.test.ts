import { describe, expect, it } from "vitest";
import { createMfaKeys } from "./mfa-crypto.js";
import { matchTotpStep, newTotpSecret, otpauthUrl, totpCodeAt } from "./totp.js";

/** RFC 6238 appendix B, SHA-1: the ASCII secret "12345678901234567890", last 6 of the 8 digits. */
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const RFC_VECTORS: [seconds: number, code: string][] = [
  [59, "287082"],
  [1_111_111_109, "081804"],
  [1_111_111_111, "050471"],
  [1_234_567_890, "005924"],
  [2_000_000_000, "279037"],
  [20_000_000_000, "353130"],
];

describe("TOTP (RFC 6238, SHA-1, 6 digits, 30 s)", () => {
  it.each(RFC_VECTORS)("gives RFC 6238's code at T=%i", (seconds, code) => {
    expect(totpCodeAt(RFC_SECRET, seconds * 1000)).toBe(code);
    expect(matchTotpStep(RFC_SECRET, code, seconds * 1000)).toBe(Math.floor(seconds / 30));
  });

  it("accepts ±1 step of drift and nothing further, with an injected clock", () => {
    const now = 1_234_567_890_000;
    const step = Math.floor(now / 30_000);
    expect(matchTotpStep(RFC_SECRET, totpCodeAt(RFC_SECRET, now - 30_000), now)).toBe(step - 1);
    expect(matchTotpStep(RFC_SECRET, totpCodeAt(RFC_SECRET, now + 30_000), now)).toBe(step + 1);
    expect(matchTotpStep(RFC_SECRET, totpCodeAt(RFC_SECRET, now - 60_000), now)).toBeUndefined();
    expect(matchTotpStep(RFC_SECRET, totpCodeAt(RFC_SECRET, now + 60_000), now)).toBeUndefined();
    expect(matchTotpStep(RFC_SECRET, "12345", now)).toBeUndefined();
    expect(matchTotpStep(RFC_SECRET, "abcdef", now)).toBeUndefined();
  });

  it("makes 160-bit secrets and an otpauth URI authenticator apps read", () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    const url = new URL(otpauthUrl(secret, "ada@example.com"));
    expect(url.protocol).toBe("otpauth:");
    expect(url.host).toBe("totp");
    expect(decodeURIComponent(url.pathname)).toBe("/Portico:ada@example.com");
    expect(url.searchParams.get("secret")).toBe(secret);
    expect(url.searchParams.get("issuer")).toBe("Portico");
    expect(url.searchParams.get("digits")).toBe("6");
    expect(url.searchParams.get("period")).toBe("30");
  });

  it("seals secrets with AES-256-GCM under a derived key: tampering or another key fails", () => {
    const keys = createMfaKeys("k".repeat(40));
    const sealed = keys.encrypt(RFC_SECRET);
    expect(sealed).not.toContain(RFC_SECRET);
    expect(keys.encrypt(RFC_SECRET)).not.toBe(sealed); // a fresh IV each time
    expect(keys.decrypt(sealed)).toBe(RFC_SECRET);
    const parts = sealed.split(".");
    parts[3] = `${parts[3]?.slice(0, -2)}AA`;
    expect(() => keys.decrypt(parts.join("."))).toThrow();
    expect(() => createMfaKeys("o".repeat(40)).decrypt(sealed)).toThrow();
    expect(keys.hashCode("abcdefghij")).toBe(createMfaKeys("k".repeat(40)).hashCode("abcdefghij"));
    expect(keys.hashCode("abcdefghij")).not.toBe(createMfaKeys("o".repeat(40)).hashCode("abcdefghij"));
  });
});
