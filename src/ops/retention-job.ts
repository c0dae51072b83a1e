import type { Database } from "../db/index.js";
import { pruneExpiredRows } from "../db/retention.js";
import type { Logger } from "./logger.js";

/** Every instance runs it: a run finds little to do when another instance ran just before. */
const DEFAULT_INTERVAL_MS = 3600_000;
/** The first run waits a minute: a start-up (or a test's short-lived instance) stays light. */
const DEFAULT_FIRST_RUN_MS = 60_000;

export interface RetentionJob {
  start(): void;
  /** Stops the timer and waits for a run in flight. */
  stop(): Promise<void>;
  /** One run now (tests, operators): rows deleted per table. */
  runOnce(): Promise<Record<string, number>>;
}

export interface RetentionJobOptions {
  database: Database;
  logger: Logger;
  intervalMs?: number;
  firstRunMs?: number;
  now?: () => Date;
}

/**
 * Deletes rows past their retention period (src/db/retention.ts, docs/RETENTION.md) on a timer,
 * one run at a time. A failed run is logged and the next one tries again.
 */
export function createRetentionJob(options: RetentionJobOptions): RetentionJob {
  const { database, logger, intervalMs = DEFAULT_INTERVAL_MS, firstRunMs = DEFAULT_FIRST_RUN_MS } = options;
  const now = options.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let started = false;

  async function runOnce() {
    const deleted = await pruneExpiredRows(database.kysely, { now: now() });
    if (Object.values(deleted).some((n) => n > 0)) logger.info({ deleted }, "retention: old rows deleted");
    return deleted;
  }

  function schedule(delayMs: number) {
    timer = setTimeout(() => {
      running = runOnce()
        .catch((error) => logger.warn({ err: error }, "retention run failed; the next run tries again"))
        .finally(() => {
          if (started) schedule(intervalMs);
        });
    }, delayMs);
    timer.unref();
  }

  return {
    start() {
      if (started) return;
      started = true;
      schedule(firstRunMs);
    },
    async stop() {
      started = false;
      clearTimeout(timer);
      await running;
    },
    runOnce,
  };
}
