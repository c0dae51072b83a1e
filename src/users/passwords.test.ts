import bcrypt from "bcrypt";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors.js";
import { bcryptCost, createPasswordHasher, equalisingCosts } from "./passwords.js";

describe("password hasher", () => {
  it("hashes with the configured cost and verifies", async () => {
    const hasher = createPasswordHasher({ cost: 5, concurrency: 2, queueMax: 10 });
    const hash = await hasher.hashPassword("correct horse");
    expect(bcryptCost(hash)).toBe(5);
    expect(await hasher.verifyPassword("correct horse", hash)).toBe(true);
    expect(await hasher.verifyPassword("correct horsf", hash)).toBe(false);
  });

  it("says a hash needs re-hashing when its cost is below the configured cost", async () => {
    const hasher = createPasswordHasher({ cost: 6, concurrency: 1, queueMax: 1 });
    expect(hasher.needsRehash(await bcrypt.hash("x", 4))).toBe(true);
    expect(hasher.needsRehash(await bcrypt.hash("x", 6))).toBe(false);
    expect(hasher.needsRehash("not-a-bcrypt-hash")).toBe(true);
  });

  it("never runs more than `concurrency` jobs at once", async () => {
    let peak = 0;
    const hasher = createPasswordHasher({
      cost: 4,
      concurrency: 2,
      queueMax: 100,
      onJobDone: () => {
        peak = Math.max(peak, hasher.stats().active);
      },
    });
    await Promise.all(Array.from({ length: 12 }, (_, i) => hasher.hashPassword(`pw-${i}`)));
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(2);
    expect(hasher.stats()).toEqual({ active: 0, queued: 0 });
  });

  it("refuses with OVERLOADED and a Retry-After once the queue is full", async () => {
    const hasher = createPasswordHasher({ cost: 8, concurrency: 1, queueMax: 2 });
    const jobs = Array.from({ length: 5 }, (_, i) =>
      hasher.hashPassword(`pw-${i}`).then(
        () => "ok",
        (e: unknown) => e,
      ),
    );
    const results = await Promise.all(jobs);
    const refused = results.filter((r) => r instanceof AppError);
    // 1 running + 2 waiting are admitted; the other 2 are refused at once.
    expect(results.filter((r) => r === "ok")).toHaveLength(3);
    expect(refused).toHaveLength(2);
    for (const error of refused as AppError[]) {
      expect(error.code).toBe("OVERLOADED");
      expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
  });

  it("burns the same work for unknown users: a real bcrypt compare at the configured cost", async () => {
    const durations: string[] = [];
    const hasher = createPasswordHasher({
      cost: 4,
      concurrency: 1,
      queueMax: 1,
      onJobDone: (_s, op) => durations.push(op),
    });
    await hasher.burnVerify("whatever");
    expect(durations).toContain("verify");
  });

  it("burns the difference for a hash cheaper than the configured cost: 2^12 = 2^10 + 2^10 + 2^11", () => {
    expect(equalisingCosts(10, 12)).toEqual([10, 11]);
    expect(2 ** 10 + equalisingCosts(10, 12).reduce((sum, cost) => sum + 2 ** cost, 0)).toBe(2 ** 12);
    expect(equalisingCosts(12, 12)).toEqual([]);
    expect(equalisingCosts(13, 12)).toEqual([]);
    expect(equalisingCosts(Number.NaN, 12)).toEqual([]);
  });

  it("takes as long to refuse a wrong password for a cheaper (older) hash as for one at the configured cost", async () => {
    const hasher = createPasswordHasher({ cost: 10, concurrency: 1, queueMax: 10 });
    const cheap = await bcrypt.hash("the right one", 4);
    const current = await bcrypt.hash("the right one", 10);
    const median = async (hash: string) => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        expect(await hasher.verifyPassword("a wrong one", hash)).toBe(false);
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b)[2] as number;
    };
    const [cheapMs, currentMs] = [await median(cheap), await median(current)];
    expect(cheapMs).toBeGreaterThan(currentMs * 0.7);
    expect(cheapMs).toBeLessThan(currentMs * 1.5);
    expect(await hasher.verifyPassword("the right one", cheap)).toBe(true);
  });
});
