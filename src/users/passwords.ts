import bcrypt from "bcrypt";
import pLimit from "p-limit";
import { AppError } from "../errors.js";

export interface PasswordHasher {
  hashPassword(password: string): Promise<string>;
  verifyPassword(password: string, hash: string): Promise<boolean>;
  /**
   * The same work as a real verify, against a hash nobody has: used when a login names an
   * unknown e-mail, so the answer takes as long as a wrong password does.
   */
  burnVerify(password: string): Promise<void>;
  /** True when a stored hash was made with a lower cost than the configured one. */
  needsRehash(hash: string): boolean;
  /** Jobs hashing now and jobs waiting, for metrics and health. */
  stats(): { active: number; queued: number };
}

export interface PasswordHasherOptions {
  cost: number;
  /** bcrypt jobs at once. bcrypt runs on libuv's pool (4 threads); more would starve DNS, files and crypto. */
  concurrency: number;
  /** Jobs that may wait; the next one is refused with OVERLOADED instead of queueing without bound. */
  queueMax: number;
  onJobDone?: (seconds: number, operation: "hash" | "verify") => void;
}

/** Reads the cost field of a bcrypt hash ("$2b$12$…" → 12); NaN when the hash is not bcrypt. */
export function bcryptCost(hash: string): number {
  const match = /^\$2[abxy]?\$(\d{2})\$/.exec(hash);
  return match ? Number.parseInt(match[1] as string, 10) : Number.NaN;
}

/** A hash no password matches, at `cost`: a random salt at that cost and an all-zero digest. */
const dummyAt = (cost: number) => `${bcrypt.genSaltSync(cost)}${".".repeat(31)}`;

/**
 * The extra compares that make a check of a `from`-cost hash take as long as one at `to`:
 * bcrypt's work is 2^cost, and 2^to = 2^from + 2^from + 2^(from+1) + … + 2^(to-1).
 */
export function equalisingCosts(from: number, to: number): number[] {
  if (!Number.isInteger(from) || from < 4 || from >= to) return [];
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/**
 * bcrypt behind a bounded queue. A full queue means the server is saturated: refusing at once
 * (503 with Retry-After) keeps latency bounded for the requests already admitted.
 */
export function createPasswordHasher(options: PasswordHasherOptions): PasswordHasher {
  const limit = pLimit(options.concurrency);
  let averageMs = 250 * 2 ** (options.cost - 12);
  let dummyHash: Promise<string> | undefined;

  async function run<T>(operation: "hash" | "verify", job: () => Promise<T>): Promise<T> {
    if (limit.activeCount >= options.concurrency && limit.pendingCount >= options.queueMax) {
      const waitMs = ((limit.pendingCount + 1) * averageMs) / options.concurrency;
      throw new AppError("OVERLOADED", { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) });
    }
    return limit(async () => {
      const started = performance.now();
      try {
        return await job();
      } finally {
        const ms = performance.now() - started;
        averageMs = averageMs * 0.9 + ms * 0.1;
        options.onJobDone?.(ms / 1000, operation);
      }
    });
  }

  const hasher: PasswordHasher = {
    hashPassword: (password) => run("hash", () => bcrypt.hash(password, options.cost)),
    // A hash older and cheaper than the configured cost is checked in the time of one at that
    // cost, so the answer does not tell such an account from the others (or from none).
    verifyPassword: (password, hash) =>
      run("verify", async () => {
        const matches = await bcrypt.compare(password, hash);
        for (const cost of equalisingCosts(bcryptCost(hash), options.cost)) {
          await bcrypt.compare(password, dummyAt(cost));
        }
        return matches;
      }),
    async burnVerify(password) {
      // Made once, at the configured cost, from random bytes: no password can match it.
      dummyHash ??= bcrypt.hash(crypto.randomUUID(), options.cost);
      await hasher.verifyPassword(password, await dummyHash);
    },
    needsRehash: (hash) => !(bcryptCost(hash) >= options.cost),
    stats: () => ({ active: limit.activeCount, queued: limit.pendingCount }),
  };
  return hasher;
}
