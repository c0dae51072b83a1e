import type { Database } from "../db/index.js";
import type { Logger } from "../ops/logger.js";
import type { MailWorkerMetrics } from "./mail.metrics.js";
import type { MailTransport } from "./transport.js";
import { type PassContext, runPass } from "./worker-pass.js";

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

/** The options with their defaults. */
function passContext(options: MailWorkerOptions): PassContext {
  return {
    db: options.database.kysely,
    transport: options.transport,
    logger: options.logger,
    metrics: options.metrics,
    batchSize: options.batchSize ?? 10,
    retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    at: () => options.now?.(),
  };
}

/** Runs work one piece at a time, in order; `settled` resolves once all handed in so far ended. */
function serialize() {
  let chain: Promise<unknown> = Promise.resolve();
  return {
    run<T>(work: () => Promise<T>): Promise<T> {
      const result = chain.then(work);
      chain = result.catch(() => {});
      return result;
    },
    settled: () => chain,
  };
}

/** The polling loop's state: `wake` ends the current sleep early. */
interface LoopState {
  running: boolean;
  kicked: boolean;
  wake?: () => void;
  loop?: Promise<void>;
}

function sleep(state: LoopState, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    state.wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

/** Passes until stopped; sleeps `pollIntervalMs` after a pass that left nothing due, unless kicked. */
async function run(state: LoopState, pass: () => Promise<number>, ctx: PassContext, pollIntervalMs: number) {
  const { logger, batchSize } = ctx;
  let failing = false;
  while (state.running) {
    state.kicked = false;
    let claimed = 0;
    try {
      claimed = await pass();
      if (failing) logger.info("mail worker reaches the database again");
      failing = false;
    } catch (error) {
      if (!failing) logger.warn({ err: error }, "mail worker cannot claim mails; trying again");
      failing = true;
    }
    if (state.running && !state.kicked && claimed < batchSize) await sleep(state, pollIntervalMs);
    state.wake = undefined;
  }
}

/**
 * One worker per instance. Each pass claims a batch (a short locking statement, see
 * `claimDueMails`), then sends outside any transaction and records each outcome: several
 * instances never send one row twice, and a crash or an SMTP outage loses nothing (a mail can go
 * out twice only if the process dies between the server's acceptance and the row's update).
 */
export function createMailWorker(options: MailWorkerOptions): MailWorker {
  const ctx = passContext(options);
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  // Passes of one worker never overlap (the loop, drain): one claim at a time per instance.
  const passes = serialize();
  const pass = () => passes.run(() => runPass(ctx));
  const state: LoopState = { running: false, kicked: false };

  return {
    start() {
      if (state.running) return;
      state.running = true;
      state.loop = run(state, pass, ctx, pollIntervalMs);
    },
    async stop() {
      state.running = false;
      state.wake?.();
      await state.loop;
      await passes.settled();
    },
    kick() {
      state.kicked = true;
      state.wake?.();
    },
    async drain() {
      while ((await pass()) > 0) {}
    },
  };
}
