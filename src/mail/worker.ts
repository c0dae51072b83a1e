import type { Database } from "../db/index.js";
import type { Logger } from "../logger.js";
import type { MailWorkerMetrics } from "./mail.metrics.js";
import { claimDueMails, type MailRow, markMailDead, markMailSent, scheduleMailRetry } from "./outbox.js";
import { classifySendError, MailDeliveryError, type MailTransport } from "./transport.js";

/** 10 s, 30 s, 1, 2, 5, 10, 15, 20 min: nine attempts over about 53 minutes, then the mail is dead. */
const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [
  10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_200_000,
];

/** How long a claim holds its rows. Far above a batch's sends (10 s SMTP timeouts, 5 connections). */
const DEFAULT_LEASE_MS = 5 * 60_000;

export interface MailWorkerOptions {
  database: Database;
  transport: MailTransport;
  logger: Logger;
  metrics?: MailWorkerMetrics;
  /** How often to look for due mails when not kicked; other instances' mails wait at most this. */
  pollIntervalMs?: number;
  batchSize?: number;
  /** The wait after the 1st, 2nd, … failed attempt; when they run out the mail is dead. */
  retryDelaysMs?: readonly number[];
  leaseMs?: number;
  /** The clock for due times, leases and retries. Default: the database's (one for every instance). */
  now?: () => Date;
}

export interface MailWorker {
  start(): void;
  /** Stops polling and waits for the sends in flight. */
  stop(): Promise<void>;
  /** Looks for due mails now, e.g. right after a transaction that queued one committed. */
  kick(): void;
  /** Delivers everything due now, and resolves when nothing is (tests, CLI). */
  drain(): Promise<void>;
}

/**
 * One worker per instance. Each pass claims a batch (a short locking statement, see
 * `claimDueMails`), then sends outside any transaction and records each outcome: several
 * instances never send one row twice, and a crash or an SMTP outage loses nothing (a mail can go
 * out twice only if the process dies between the server's acceptance and the row's update).
 */
export function createMailWorker(options: MailWorkerOptions): MailWorker {
  const { database, transport, logger, metrics } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const batchSize = options.batchSize ?? 10;
  const retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const at = () => options.now?.();
  const db = database.kysely;

  async function recordFailure(row: MailRow, error: unknown): Promise<void> {
    const failure = error instanceof MailDeliveryError ? error : classifySendError(error);
    const log = { mailId: row.id, kind: row.kind, attempts: row.attempts, code: failure.code };
    const delayMs = retryDelaysMs[row.attempts - 1];
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
  async function deliver(row: MailRow, claimedAt: number): Promise<boolean> {
    if (row.attempts === 1) metrics?.queued(row.kind);
    // A row claimed long ago may be past its lease and taken by another instance: leave it.
    if (performance.now() - claimedAt > leaseMs / 2) return false;
    try {
      await transport.send(row);
      return true;
    } catch (error) {
      await recordFailure(row, error);
      return false;
    }
  }

  /** One claim, its sends, and one statement marking those sent; the number of rows claimed. */
  async function pass(): Promise<number> {
    const rows = await claimDueMails(db, { limit: batchSize, leaseMs, at: at() });
    const claimedAt = performance.now();
    const outcomes = await Promise.allSettled(rows.map((row) => deliver(row, claimedAt)));
    const sent: MailRow[] = [];
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === "fulfilled" && outcome.value) sent.push(rows[i] as MailRow);
      // The failure could not be written: the row comes back when its lease ends.
      if (outcome.status === "rejected")
        logger.error({ err: outcome.reason, mailId: rows[i]?.id }, "mail outcome not recorded");
    }
    try {
      await markMailSent(
        db,
        sent.map((row) => row.id),
        { keepBody: transport.mode === "mailbox", at: at() },
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

  // Passes of one worker never overlap (the loop, drain): one claim at a time per instance.
  let chain: Promise<unknown> = Promise.resolve();
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = chain.then(work);
    chain = result.catch(() => {});
    return result;
  }

  let running = false;
  let kicked = false;
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async function run(): Promise<void> {
    let failing = false;
    while (running) {
      kicked = false;
      let claimed = 0;
      try {
        claimed = await exclusive(pass);
        if (failing) logger.info("mail worker reaches the database again");
        failing = false;
      } catch (error) {
        if (!failing) logger.warn({ err: error }, "mail worker cannot claim mails; trying again");
        failing = true;
      }
      if (running && !kicked && claimed < batchSize) await sleep(pollIntervalMs);
      wake = undefined;
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      await chain;
    },
    kick() {
      kicked = true;
      wake?.();
    },
    async drain() {
      while ((await exclusive(pass)) > 0) {}
    },
  };
}
