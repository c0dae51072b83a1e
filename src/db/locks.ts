import { sql, type Transaction } from "kysely";
import type { Schema } from "./schema.js";

/**
 * Waits until no other transaction holds `key`, and holds it until this one ends (a transaction-
 * scoped advisory lock, on PGlite too). Transactions that take one key run one after the other,
 * so a cap read inside (a count of rows) cannot be read by two of them at once: each sees what
 * the one before it committed. Take it first in the transaction, before any row lock: then the
 * waiters hold nothing, and it cannot deadlock with the row locks of other flows.
 */
export async function lockKey(trx: Transaction<Schema>, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`portico:${key}`}, 0))`.execute(trx);
}
