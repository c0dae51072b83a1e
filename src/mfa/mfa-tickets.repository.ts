import { type Kysely, sql, type Transaction } from "kysely";
import type { Schema } from "../db/schema.js";

type Executor = Kysely<Schema> | Transaction<Schema>;

/**
 * Sign-in tickets and the account's count of wrong codes (SQL only; the rules are in
 * mfa-login.service.ts). Every cap is taken BEFORE a code is checked, by one conditional UPDATE:
 * when concurrent UPDATEs hit one row, PostgreSQL applies them one after the other and checks the
 * WHERE again on the row the previous one left, so a burst of tries gets exactly as many places
 * as the cap has left (SPEC §20). A count read first and written after the check is no cap: a
 * burst all read the same count.
 */

export async function createTicket(executor: Executor, userId: string, tokenHash: string, expiresAt: Date) {
  await executor
    .insertInto("mfa_tickets")
    .values({ user_id: userId, token_hash: tokenHash, expires_at: expiresAt })
    .execute();
}

/**
 * Takes one of a live ticket's tries (not used, not expired, fewer than `maxTries` taken): the
 * ticket's id and user, or undefined when there is no such ticket or its tries are spent.
 */
export async function reserveTicketTry(executor: Executor, tokenHash: string, now: Date, maxTries: number) {
  return executor
    .updateTable("mfa_tickets")
    .set({ failures: sql<number>`failures + 1` })
    .where("token_hash", "=", tokenHash)
    .where("consumed_at", "is", null)
    .where("expires_at", ">", now)
    .where("failures", "<", maxTries)
    .returning(["id", "user_id"])
    .executeTakeFirst();
}

/** Gives a ticket's try back: its code was never checked. */
export async function returnTicketTry(executor: Executor, id: string): Promise<void> {
  await executor
    .updateTable("mfa_tickets")
    .set({ failures: sql<number>`greatest(failures - 1, 0)` })
    .where("id", "=", id)
    .execute();
}

/** Uses a ticket up: true for the one request that got it. */
export async function consumeTicket(executor: Executor, id: string, now: Date): Promise<boolean> {
  const result = await executor
    .updateTable("mfa_tickets")
    .set({ consumed_at: now })
    .where("id", "=", id)
    .where("consumed_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Ends every live ticket of the user (password reset or change, TOTP off): none completes after. */
export async function endTickets(executor: Executor, userId: string, now: Date): Promise<void> {
  await executor
    .updateTable("mfa_tickets")
    .set({ consumed_at: now })
    .where("user_id", "=", userId)
    .where("consumed_at", "is", null)
    .execute();
}

export interface AccountCap {
  count: number;
  windowMs: number;
}

/**
 * Takes one of the account's places for wrong codes: `cap.count` per window, a window starting
 * at the first try after the previous one ended. The window's start when taken; undefined when
 * the cap is reached, or TOTP is off.
 */
export async function reserveAccountTry(executor: Executor, userId: string, now: Date, cap: AccountCap) {
  const windowOver = sql<boolean>`(failure_window_started_at is null
    or failure_window_started_at <= ${new Date(now.getTime() - cap.windowMs)}::timestamptz)`;
  const row = await executor
    .updateTable("mfa_totp")
    // Both expressions read the row as it was before this UPDATE.
    .set({
      failures_in_window: sql<number>`case when ${windowOver} then 1 else failures_in_window + 1 end`,
      failure_window_started_at: sql<Date>`case when ${windowOver} then ${now}::timestamptz
        else failure_window_started_at end`,
    })
    .where("user_id", "=", userId)
    .where("enabled_at", "is not", null)
    .where(sql<boolean>`${windowOver} or failures_in_window < ${cap.count}`)
    .returning("failure_window_started_at")
    .executeTakeFirst();
  return row?.failure_window_started_at ?? undefined;
}

/** When the account's current window started; undefined when TOTP is off. */
export async function accountWindowStart(executor: Executor, userId: string) {
  const row = await executor
    .selectFrom("mfa_totp")
    .select("failure_window_started_at")
    .where("user_id", "=", userId)
    .where("enabled_at", "is not", null)
    .executeTakeFirst();
  return row && { startedAt: row.failure_window_started_at };
}

/** Gives a place back (the code was right: only wrong codes count), in the window it was taken in. */
export async function returnAccountTry(executor: Executor, userId: string, windowStartedAt: Date): Promise<void> {
  await executor
    .updateTable("mfa_totp")
    .set({ failures_in_window: sql<number>`greatest(failures_in_window - 1, 0)` })
    .where("user_id", "=", userId)
    .where("failure_window_started_at", "=", windowStartedAt)
    .execute();
}
