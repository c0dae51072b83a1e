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

/**
 * Failed attempts: anyone who knows an address can write them, so they are listed grouped and
 * kept apart from the rest (listEvents, pruneEvents): they never push a factor, e-mail or
 * password event out of the list, or out of storage.
 */
const FAILURES = sql.raw("('login.failed', 'mfa.failed')");

/** The public event (GET /api/v1/auth/events). */
export const securityEventSchema = z
  .object({
    type: z.enum(EVENT_TYPES),
    createdAt: z.iso.datetime(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    count: z
      .number()
      .int()
      .min(2)
      .optional()
      .meta({
        description:
          "Present when the entry stands for several failed attempts in a row (`login.failed`, `mfa.failed`): " +
          "how many; `createdAt`, `ip` and `userAgent` are the latest one's",
      }),
  })
  .strict();
export type SecurityEvent = z.output<typeof securityEventSchema>;

type Executor = Kysely<Schema> | Transaction<Schema>;

/** How many events a user keeps: the newest 1,000 of each kind, none older than 90 days. */
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

interface EventEntryRow {
  type: string;
  created_at: Date | string;
  ip: string | null;
  user_agent: string | null;
  count: number;
}

/**
 * The user's newest `limit` events other than failed attempts, newest first, with the failures
 * between them (and after the newest) grouped: one entry per type for each unbroken run of
 * failures, carrying `count` when it stands for more than one. For a failure, the number of other
 * events newer than it (`newer_others`) names its run; a run older than the `limit`-th other event
 * is left out. Sixty failed logins are one entry, and a passkey added before them stays listed.
 */
export async function listEvents(executor: Executor, userId: string, limit = 50): Promise<SecurityEvent[]> {
  const { rows } = await sql<EventEntryRow>`
    with ordered as (
      select type, created_at, ip, user_agent, seq, type in ${FAILURES} as failure,
             row_number() over (order by created_at desc, seq desc)
               - row_number() over (partition by type in ${FAILURES} order by created_at desc, seq desc) as newer_others,
             row_number() over (partition by type in ${FAILURES} order by created_at desc, seq desc) as nth
      from security_events where user_id = ${userId}
    )
    select type, max(created_at) as created_at,
           (array_agg(ip order by created_at desc, seq desc))[1] as ip,
           (array_agg(user_agent order by created_at desc, seq desc))[1] as user_agent,
           count(*)::int as count
    from ordered
    where (failure and newer_others < ${limit}) or (not failure and nth <= ${limit})
    group by type, case when failure then newer_others end, case when failure then null else seq end
    order by max(created_at) desc, max(seq) desc`.execute(executor);
  return rows.map((row) => ({
    type: row.type as EventType,
    createdAt: new Date(row.created_at).toISOString(),
    ip: row.ip,
    userAgent: row.user_agent,
    ...(row.count > 1 && { count: row.count }),
  }));
}

/**
 * Drops a user's events beyond the retention: older than 90 days, or past the newest 1,000 of
 * their kind (failed attempts, everything else): failures never crowd the rest out.
 */
export async function pruneEvents(executor: Executor, userId: string): Promise<number> {
  const result = await sql`
    delete from security_events
    where user_id = ${userId}
      and (created_at < now() - make_interval(days => ${EVENT_RETENTION.maxAgeDays})
           or id not in (select id from (
             select id, row_number() over (partition by type in ${FAILURES} order by created_at desc, seq desc) as nth
             from security_events where user_id = ${userId}) kept
             where nth <= ${EVENT_RETENTION.maxPerUser}))`.execute(executor);
  return Number(result.numAffectedRows ?? 0);
}
