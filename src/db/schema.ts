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

export type OneTimeTokenPurpose = "verify_email" | "password_reset" | "email_change";

/** The `one_time_tokens` table (src/recovery): only the token's SHA-256 is kept. */
export interface OneTimeTokensTable {
  id: Generated<string>;
  user_id: string;
  purpose: OneTimeTokenPurpose;
  token_hash: string;
  email: string;
  created_at: ColumnType<Date, Date, never>;
  expires_at: ColumnType<Date, Date, never>;
  consumed_at: ColumnType<Date | null, never, Date | string>;
  voided_at: ColumnType<Date | null, never, Date | string>;
}

/** The `security_events` table (src/events). */
export interface SecurityEventsTable {
  id: Generated<string>;
  user_id: string;
  type: string;
  created_at: ColumnType<Date, never, never>;
  ip: string | null;
  user_agent: string | null;
}

export interface Schema {
  users: UsersTable;
  sessions: SessionsTable;
  mail_outbox: MailOutboxTable;
  one_time_tokens: OneTimeTokensTable;
  security_events: SecurityEventsTable;
}
