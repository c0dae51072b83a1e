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

export interface Schema {
  users: UsersTable;
  sessions: SessionsTable;
  mail_outbox: MailOutboxTable;
}
