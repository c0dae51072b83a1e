import type { Kysely, Transaction } from "kysely";
import { sql } from "kysely";
import { z } from "zod";
import { NEW_USER, type NewUserRow } from "../db/new-user-rows.js";
import type { Schema } from "../db/schema.js";
import type { ClientInfo } from "../http/client-info.js";

/** SPEC §9's event types (and §13's `mfa.failed`, §20's `account.reclaimed`). */
const EVENT_TYPES = [
  "user.registered",
  "login.succeeded",
  "login.failed",
  "session.revoked",
  "password.changed",
  "password.reset",
  // A reset verified the address for the first time: passkeys and TOTP set up before it were removed (SPEC §20).
  "account.reclaimed",
  "email.verified",
  "email.changed",
  "mfa.enabled",
  "mfa.disabled",
  "mfa.failed",
  "passkey.added",
  "passkey.removed",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** The public event (GET /api/v1/auth/events). */
export const securityEventSchema = z
  .object({
    type: z.enum(EVENT_TYPES),
    createdAt: z.iso.datetime(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  })
  .strict();
export type SecurityEvent = z.output<typeof securityEventSchema>;

type Executor = Kysely<Schema> | Transaction<Schema>;

/** How many events a user keeps: the newest 1,000, none older than 90 days. */
const EVENT_RETENTION = { maxPerUser: 1000, maxAgeDays: 90 } as const;

/**
 * The one writer of security events, used by every feature. Pass the transaction of the change
 * the event records, so both commit together.
 */
/** The event written with a new user, in the sign-up's one statement (src/db/new-user-rows.ts). */
export function eventForNewUser(type: EventType, client: ClientInfo): NewUserRow {
  return sql`insert into security_events (user_id, type, ip, user_agent)
    select id, ${type}, ${client.ip ?? null}, ${client.userAgent ?? null} from ${NEW_USER}`;
}

export async function recordEvent(executor: Executor, userId: string, type: EventType, client: ClientInfo) {
  await executor
    .insertInto("security_events")
    .values({ user_id: userId, type, ip: client.ip, user_agent: client.userAgent })
    .execute();
}

/** The user's newest events. */
export async function listEvents(executor: Executor, userId: string, limit = 50): Promise<SecurityEvent[]> {
  const rows = await executor
    .selectFrom("security_events")
    .select(["type", "created_at", "ip", "user_agent"])
    .where("user_id", "=", userId)
    .orderBy("created_at", "desc")
    .orderBy("seq", "desc")
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    type: row.type as EventType,
    createdAt: new Date(row.created_at).toISOString(),
    ip: row.ip,
    userAgent: row.user_agent,
  }));
}

/** Drops a user's events beyond the retention: older than 90 days, or past the newest 1,000. */
export async function pruneEvents(executor: Executor, userId: string): Promise<number> {
  const result = await sql`
    delete from security_events
    where user_id = ${userId}
      and (created_at < now() - make_interval(days => ${EVENT_RETENTION.maxAgeDays})
           or id not in (select id from security_events where user_id = ${userId}
                         order by created_at desc, id desc limit ${EVENT_RETENTION.maxPerUser}))`.execute(executor);
  return Number(result.numAffectedRows ?? 0);
}
