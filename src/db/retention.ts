import { type Kysely, type RawBuilder, sql } from "kysely";
import type { Schema } from "./schema.js";

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * How long a row is kept after it stopped being of use (docs/RETENTION.md). Each is longer than
 * any window that counts such rows (the reset-mail cap's 15 minutes, the MFA failure limit's).
 */
export const RETENTION_MS = {
  /** After expiry or revocation: "where you were signed in" history, and a stolen token's trail. */
  sessions: 30 * DAY_MS,
  /** Reset, verification and e-mail change links: after expiry, use or voiding. */
  one_time_tokens: 7 * DAY_MS,
  /** Sign-in tickets between the password and the second factor: after expiry or use. */
  mfa_tickets: DAY_MS,
  /** Mail rows (bodies are already wiped on delivery): after sending, or from queueing when dead. */
  mail_outbox: 30 * DAY_MS,
  /** WebAuthn challenges: after expiry or use. */
  webauthn_challenges: HOUR_MS,
} as const;

type Table = keyof typeof RETENTION_MS;

/**
 * Rows that stopped being of use before `cutoff`: each condition is the expression of one of
 * migration 0012's indexes (webauthn_challenges: its expiry index; a used one expired soon after).
 */
const ENDED_BEFORE: Record<Table, (cutoff: Date) => RawBuilder<boolean>> = {
  sessions: (cutoff) => sql`least(expires_at, revoked_at) < ${cutoff}`,
  one_time_tokens: (cutoff) => sql`least(expires_at, consumed_at, voided_at) < ${cutoff}`,
  mfa_tickets: (cutoff) => sql`least(expires_at, consumed_at) < ${cutoff}`,
  mail_outbox: (cutoff) => sql`status <> 'pending' and coalesce(sent_at, created_at) < ${cutoff}`,
  webauthn_challenges: (cutoff) => sql`expires_at < ${cutoff}`,
};

export interface PruneOptions {
  /** The clock the periods count from (tests inject one). */
  now: Date;
  /** Rows per DELETE: one statement holds its row locks only that long. */
  batchSize?: number;
  /** DELETEs per table per run; what is left waits for the next run. */
  maxBatches?: number;
}

/** One batch, skipping rows another instance's batch holds (it deletes them). */
async function deleteBatch(db: Kysely<Schema>, table: Table, cutoff: Date, batchSize: number): Promise<number> {
  const result = await sql`
    delete from ${sql.table(table)} where id in (
      select id from ${sql.table(table)} where ${ENDED_BEFORE[table](cutoff)}
      limit ${batchSize} for update skip locked)`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Deletes the rows past their period (RETENTION_MS), in batches: idempotent, cheap when there is
 * nothing to do, safe on several instances at once. How many rows went, per table.
 */
export async function pruneExpiredRows(db: Kysely<Schema>, options: PruneOptions): Promise<Record<Table, number>> {
  const { now, batchSize = 500, maxBatches = 20 } = options;
  const deleted = {} as Record<Table, number>;
  for (const table of Object.keys(RETENTION_MS) as Table[]) {
    const cutoff = new Date(now.getTime() - RETENTION_MS[table]);
    deleted[table] = 0;
    for (let batch = 0; batch < maxBatches; batch++) {
      const count = await deleteBatch(db, table, cutoff, batchSize);
      deleted[table] += count;
      if (count < batchSize) break;
    }
  }
  return deleted;
}
