// One pass of the mail worker (src/mail/worker.ts): claim a batch, send it, record each outcome.
import type { Kysely } from "kysely";
import type { Schema } from "../db/schema.js";
import type { Logger } from "../ops/logger.js";
import type { MailWorkerMetrics } from "./mail.metrics.js";
import { claimDueMails, type MailRow, markMailDead, markMailSent, scheduleMailRetry } from "./outbox.js";
import { classifySendError, MailDeliveryError, type MailTransport } from "./transport.js";

/** What a pass needs: the worker's options, resolved. */
export interface PassContext {
  db: Kysely<Schema>;
  transport: MailTransport;
  logger: Logger;
  metrics?: MailWorkerMetrics;
  batchSize: number;
  retryDelaysMs: readonly number[];
  leaseMs: number;
  /** The clock for due times, leases and retries; undefined: the database's. */
  at: () => Date | undefined;
}

async function recordFailure(ctx: PassContext, row: MailRow, error: unknown): Promise<void> {
  const { db, logger, metrics, at } = ctx;
  const failure = error instanceof MailDeliveryError ? error : classifySendError(error);
  const log = { mailId: row.id, kind: row.kind, attempts: row.attempts, code: failure.code };
  const delayMs = ctx.retryDelaysMs[row.attempts - 1];
  if (failure.permanent || delayMs === undefined) {
    await markMailDead(db, row.id, { error: failure.message, at: at() });
    metrics?.dead(row.kind);
    const why = failure.permanent ? "the server refused it" : "retries exhausted";
    logger.error({ ...log, permanent: failure.permanent }, `mail dead: ${why}`);
    return;
  }
  await scheduleMailRetry(db, row.id, { delayMs, error: failure.message, at: at() });
  metrics?.retried(row.kind);
  logger.warn({ ...log, retryInSeconds: delayMs / 1000 }, "mail not delivered, will retry");
}

/** Sends one claimed mail; true when the server took it (marked sent with the batch). */
async function deliver(ctx: PassContext, row: MailRow, claimedAt: number): Promise<boolean> {
  if (row.attempts === 1) ctx.metrics?.queued(row.kind);
  // A row claimed long ago may be past its lease and taken by another instance: leave it.
  if (performance.now() - claimedAt > ctx.leaseMs / 2) return false;
  try {
    await ctx.transport.send(row);
    return true;
  } catch (error) {
    await recordFailure(ctx, row, error);
    return false;
  }
}

/** The rows the server took; a failure that could not be written is logged. */
function sentRows(ctx: PassContext, rows: MailRow[], outcomes: PromiseSettledResult<boolean>[]): MailRow[] {
  const sent: MailRow[] = [];
  for (const [i, outcome] of outcomes.entries()) {
    if (outcome.status === "fulfilled" && outcome.value) sent.push(rows[i] as MailRow);
    // The failure could not be written: the row comes back when its lease ends.
    if (outcome.status === "rejected")
      ctx.logger.error({ err: outcome.reason, mailId: rows[i]?.id }, "mail outcome not recorded");
  }
  return sent;
}

/** One claim, its sends, and one statement marking those sent; the number of rows claimed. */
export async function runPass(ctx: PassContext): Promise<number> {
  const { db, logger, metrics, at } = ctx;
  const rows = await claimDueMails(db, { limit: ctx.batchSize, leaseMs: ctx.leaseMs, at: at() });
  const claimedAt = performance.now();
  const outcomes = await Promise.allSettled(rows.map((row) => deliver(ctx, row, claimedAt)));
  const sent = sentRows(ctx, rows, outcomes);
  try {
    await markMailSent(
      db,
      sent.map((row) => row.id),
      { keepBody: ctx.transport.mode === "mailbox", at: at() },
    );
  } catch (error) {
    // Sent but not marked: they come back when their lease ends and go out again (at least once).
    logger.error({ err: error, mails: sent.length }, "mail outcome not recorded");
    return rows.length;
  }
  for (const row of sent) {
    metrics?.sent(row.kind);
    logger.info({ mailId: row.id, kind: row.kind, attempts: row.attempts }, "mail sent");
  }
  return rows.length;
}
