import type { Selectable } from "kysely";
import { z } from "zod";
import type { AuthMethod, SessionsTable } from "../db/schema.js";

/** A stored session row. */
export type SessionRow = Selectable<SessionsTable>;

/** Why a session ended; metrics and the security log are labelled with it. */
export type RevokeReason =
  | "logout"
  | "revoked"
  | "revoke_others"
  | "password_change"
  | "password_reset"
  | "role_change"
  | "mfa_enabled"
  | "factor_revoked"
  | "operator";

export type { ClientInfo } from "../http/client-info.js";

/** The public session (SPEC §6's list): the source of its type and of its OpenAPI schema. */
export const sessionSchema = z
  .object({
    id: z.uuid(),
    createdAt: z.iso.datetime(),
    lastSeenAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    current: z.boolean(),
  })
  .strict();

export type Session = z.output<typeof sessionSchema>;

export type { AuthMethod };

export function toSession(row: SessionRow, currentId: string): Session {
  return {
    id: row.id,
    createdAt: new Date(row.created_at).toISOString(),
    lastSeenAt: new Date(row.last_seen_at).toISOString(),
    expiresAt: new Date(row.expires_at).toISOString(),
    ip: row.ip,
    userAgent: row.user_agent,
    current: row.id === currentId,
  };
}
