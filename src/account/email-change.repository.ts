import { type RawBuilder, sql, type Transaction } from "kysely";
import type { Schema } from "../db/schema.js";

/**
 * The caps on e-mail-change mails (issue 19, item 6): a request sends a link to the new address
 * and a notice to the old one. Per user at most 3 requests an hour; per target address at most 3
 * links a day, whoever asks (a stranger's inbox is not a megaphone).
 */
export const EMAIL_CHANGE_CAPS = {
  perUser: { count: 3, windowMs: 3600_000 },
  perTarget: { count: 3, windowMs: 24 * 3600_000 },
} as const;

/** Advisory-lock namespaces (the first key of pg_advisory_xact_lock(int, int)). */
const LOCK_USER = 19_061;
const LOCK_TARGET = 19_062;

/**
 * Takes the transaction-long locks of the user and of the target address, user first (always
 * this order, so two requests never wait on each other in a cycle). Until the transaction ends,
 * no other e-mail change of this user or to this address counts or writes: the counts below are
 * exact under concurrent requests, on every instance.
 */
export async function lockEmailChange(trx: Transaction<Schema>, userId: string, target: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${LOCK_USER}, hashtext(${userId}))`.execute(trx);
  await sql`select pg_advisory_xact_lock(${LOCK_TARGET}, hashtext(lower(${target})))`.execute(trx);
}

export interface Issued {
  count: number;
  /** The oldest in the window: when it leaves it, one more fits. */
  oldest: Date | undefined;
}

async function issued(trx: Transaction<Schema>, where: RawBuilder<boolean>, since: Date): Promise<Issued> {
  const { rows } = await sql<{ count: number; oldest: Date | null }>`
    select count(*)::int as count, min(created_at) as oldest from one_time_tokens
    where purpose = 'email_change' and created_at > ${since} and ${where}`.execute(trx);
  const row = rows[0];
  return { count: row?.count ?? 0, oldest: row?.oldest ? new Date(row.oldest) : undefined };
}

/** E-mail-change links the user asked for since `since` (every one, used, void or live). */
export function issuedByUser(trx: Transaction<Schema>, userId: string, since: Date): Promise<Issued> {
  return issued(trx, sql<boolean>`user_id = ${userId}`, since);
}

/** E-mail-change links sent to an address since `since`, by any user. */
export function issuedToAddress(trx: Transaction<Schema>, target: string, since: Date): Promise<Issued> {
  return issued(trx, sql<boolean>`lower(email) = lower(${target})`, since);
}
