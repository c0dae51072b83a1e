import type { Kysely } from "kysely";
import type { Schema } from "../db/schema.js";
import type { SessionEvents } from "../sessions/sessions.service.js";
import type { PasswordHasher } from "../users/passwords.js";
import type { MfaKeys } from "./mfa-crypto.js";

export interface MfaDeps {
  db: Kysely<Schema>;
  keys: MfaKeys;
  passwords: PasswordHasher;
  linkOrigin: string;
  /** RATE_LIMIT=off switches the per-account limit on wrong codes off too. */
  limits: boolean;
  mailQueued: () => void;
  sessionEvents?: SessionEvents;
  now?: () => Date;
}

export const RECOVERY_CODE_COUNT = 10;
/** A session asking for a TOTP secret again within this time gets the pending one back. */
export const PENDING_TOTP_REUSE_SECONDS = 15 * 60;
export const TICKET_TTL_MS = 5 * 60_000;
export const TICKET_MAX_FAILURES = 5;
/**
 * Per account: 10 wrong codes per 15-minute window (it starts at the first wrong code after the
 * last one ended); beyond, 429 until it ends. Taken before each code is checked, so exact under
 * concurrent tries; a right code gives its place back.
 */
export const MFA_FAILURE_LIMIT = { count: 10, windowMs: 15 * 60_000 } as const;

/** Recovery codes compare case-insensitively, with dashes and spaces ignored. */
export function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, "");
}
