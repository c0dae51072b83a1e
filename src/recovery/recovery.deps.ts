import type { Kysely } from "kysely";
import type { Schema } from "../db/schema.js";
import type { SessionEvents } from "../sessions/sessions.service.js";
import type { PasswordHasher } from "../users/passwords.js";

export type VerificationMode = "optional" | "required" | "off";

/** What the verification and reset services share. */
export interface RecoveryDeps {
  db: Kysely<Schema>;
  passwords: PasswordHasher;
  /** PUBLIC_ORIGIN (in development `http://localhost:<PORT>`): links never come from a request. */
  linkOrigin: string;
  verification: VerificationMode;
  /** RESET_TOKEN_TTL, in ms. */
  resetTtlMs: number;
  /** RATE_LIMIT=off switches off the per-address mail cap and the resend cooldown too. */
  limits: boolean;
  /** Called after a transaction that queued mail committed: the worker sends at once. */
  mailQueued: () => void;
  sessionEvents?: SessionEvents;
  now?: () => Date;
}

export const VERIFY_TTL_MS = 24 * 3600_000;
export const RESEND_COOLDOWN_MS = 60_000;
/** Per address: at most 3 reset mails per 15 minutes; beyond, the same 202 and nothing is sent. */
export const RESET_MAIL_CAP = { count: 3, windowMs: 15 * 60_000 } as const;

export function link(origin: string, path: string, token: string): string {
  const url = new URL(path, origin);
  url.searchParams.set("token", token);
  return url.toString();
}
