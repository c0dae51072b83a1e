import type { ColumnType, Generated } from "kysely";

/** The `users` table as stored (snake_case). The public shape is `User` in src/auth/user.ts. */
export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  first_name: string | null;
  last_name: string | null;
  password_hash: string;
  role: ColumnType<"user" | "admin", "user" | "admin" | undefined, "user" | "admin">;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date | string>;
  email_verified_at: ColumnType<Date | null, Date | null | undefined, Date | string | null>;
}

export type AuthMethod = "password" | "totp" | "recovery_code" | "passkey";

/** The `sessions` table (SPEC §6). The public shape is `Session` in src/sessions/session.ts. */
export interface SessionsTable {
  id: Generated<string>;
  /** bigint identity (a string in JS): the order of insertion, the tie-break of created_at. */
  seq: ColumnType<string, never, never>;
  user_id: string;
  auth_method: AuthMethod;
  created_at: ColumnType<Date, never, never>;
  last_seen_at: ColumnType<Date, never, Date | string>;
  expires_at: ColumnType<Date, Date, never>;
  revoked_at: ColumnType<Date | null, never, Date | string | null>;
  revoked_reason: ColumnType<string | null, never, string | null>;
  ip: string | null;
  user_agent: string | null;
}

/** The `mail_outbox` table (SPEC §10), read and written only by src/mail. */
export interface MailOutboxTable {
  id: Generated<string>;
  /** bigint identity (a string in JS): the order of insertion. */
  seq: ColumnType<string, never, never>;
  user_id: string | null;
  kind: string;
  recipient: string;
  subject: string;
  text_body: string | null;
  html_body: string | null;
  status: ColumnType<"pending" | "sent" | "dead", "pending" | undefined, "pending" | "sent" | "dead">;
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | undefined, Date>;
  last_error: ColumnType<string | null, never, string | null>;
  link_expires_at: ColumnType<Date | null, Date | null | undefined, never>;
  created_at: ColumnType<Date, never, never>;
  sent_at: ColumnType<Date | null, never, Date | null>;
}

export type OneTimeTokenPurpose = "verify_email" | "password_reset" | "email_change" | "factor_revoke";

/** The `one_time_tokens` table (src/recovery): only the token's SHA-256 is kept. */
export interface OneTimeTokensTable {
  id: Generated<string>;
  user_id: string;
  purpose: OneTimeTokenPurpose;
  token_hash: string;
  email: string;
  /** What a factor_revoke link removes: "totp", or the id of a passkey; null for the other purposes. */
  subject: ColumnType<string | null, string | null | undefined, never>;
  created_at: ColumnType<Date, Date, never>;
  expires_at: ColumnType<Date, Date, never>;
  consumed_at: ColumnType<Date | null, never, Date | string>;
  voided_at: ColumnType<Date | null, never, Date | string>;
  /** The session that asked for an e-mail change: its link works only while that session is live. */
  session_id: ColumnType<string | null, string | null | undefined, never>;
  /** An e-mail change's "Cancel this change" link (SHA-256), mailed to the old address. */
  cancel_token_hash: ColumnType<string | null, string | null | undefined, never>;
}

/** The `security_events` table (src/events). */
interface SecurityEventsTable {
  id: Generated<string>;
  /** bigint identity (a string in JS): the order of insertion, the tie-break of created_at. */
  seq: ColumnType<string, never, never>;
  user_id: string;
  type: string;
  created_at: ColumnType<Date, never, never>;
  ip: string | null;
  user_agent: string | null;
}

/** The `mfa_totp` table (src/mfa). */
interface MfaTotpTable {
  user_id: string;
  secret_encrypted: string;
  enabled_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  last_step: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  /** The session that asked for the pending secret (migration 0012). */
  setup_session_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Wrong codes reserved in the current window (the per-account cap); see failure_window_started_at. */
  failures_in_window: ColumnType<number, never, number>;
  failure_window_started_at: ColumnType<Date | null, never, Date>;
  created_at: ColumnType<Date, never, Date>;
}

interface MfaRecoveryCodesTable {
  id: Generated<string>;
  user_id: string;
  code_hash: string;
  used_at: ColumnType<Date | null, never, Date>;
}

interface MfaTicketsTable {
  id: Generated<string>;
  user_id: string;
  token_hash: string;
  expires_at: ColumnType<Date, Date, never>;
  failures: ColumnType<number, never, number>;
  consumed_at: ColumnType<Date | null, never, Date>;
  created_at: ColumnType<Date, never, never>;
}

/** The `passkeys` table (src/passkeys): WebAuthn credentials. The public shape is `Passkey`. */
export interface PasskeysTable {
  id: Generated<string>;
  /** bigint identity (a string in JS): the order of insertion, the tie-break of created_at. */
  seq: ColumnType<string, never, never>;
  user_id: string;
  /** base64url, as the browser sends it. */
  credential_id: string;
  /** The COSE public key, base64url. */
  public_key: string;
  /** bigint: a string from node-postgres, a number or bigint from PGlite. */
  counter: ColumnType<string | number | bigint, number, number>;
  transports: ColumnType<string[], string[] | undefined, string[]>;
  name: string;
  created_at: ColumnType<Date, never, never>;
  last_used_at: ColumnType<Date | null, never, Date | string>;
}

export type WebAuthnPurpose = "register" | "login";

/** The `webauthn_challenges` table (src/passkeys): single use, 5 minutes; no user for a sign-in. */
export interface WebAuthnChallengesTable {
  id: Generated<string>;
  user_id: string | null;
  purpose: WebAuthnPurpose;
  challenge: string;
  created_at: ColumnType<Date, never, never>;
  expires_at: ColumnType<Date, Date, never>;
  used_at: ColumnType<Date | null, never, Date | string>;
}

export interface Schema {
  users: UsersTable;
  sessions: SessionsTable;
  mail_outbox: MailOutboxTable;
  one_time_tokens: OneTimeTokensTable;
  security_events: SecurityEventsTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebAuthnChallengesTable;
  mfa_totp: MfaTotpTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  mfa_tickets: MfaTicketsTable;
}
