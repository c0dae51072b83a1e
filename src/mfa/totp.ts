import { randomBytes } from "node:crypto";
import { Secret, TOTP } from "otpauth";

/** RFC 6238 as SPEC §11 fixes it: SHA-1, 6 digits, 30-second steps, ±1 step of drift. */
const TOTP_PERIOD_SECONDS = 30;
const ISSUER = "Portico";

function totp(secretBase32: string, label = "account") {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: "SHA1",
    digits: 6,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** A new secret: 20 random bytes (RFC 4226's recommended length), in base32. */
export function newTotpSecret(): string {
  return new Secret({ buffer: randomBytes(20).buffer }).base32;
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function otpauthUrl(secretBase32: string, email: string): string {
  return totp(secretBase32, email).toString();
}

/** The time step a code belongs to (within ±1 step of `nowMs`), or undefined when it is wrong. */
export function matchTotpStep(secretBase32: string, code: string, nowMs: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totp(secretBase32).validate({ token: code, timestamp: nowMs, window: 1 });
  if (delta === null) return undefined;
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS) + delta;
}

/** The code of a given instant (tests, and RFC 6238's vectors). */
export function totpCodeAt(secretBase32: string, nowMs: number): string {
  return totp(secretBase32).generate({ timestamp: nowMs });
}
