import bcrypt from "bcrypt";
import { describe, expect, it, vi } from "vitest";
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

  it("checks a cheaper (older) hash with the work of one at the configured cost: 2^10 in all, whatever the answer", async () => {
    const hasher = createPasswordHasher({ cost: 10, concurrency: 1, queueMax: 10 });
    const cheap = await bcrypt.hash("the right one", 4);
    const current = await bcrypt.hash("the right one", 10);
    // Counts the compares the hasher really runs (each one still goes to bcrypt): a timing
    // assertion would say the same thing but fail on a loaded machine.
    const compare = vi.spyOn(bcrypt, "compare");
    const workOf = async (password: string, hash: string) => {
      compare.mockClear();
      const matches = await hasher.verifyPassword(password, hash);
      const work = compare.mock.calls.reduce((sum, [, h]) => sum + 2 ** bcryptCost(String(h)), 0);
      return { matches, work };
    };
    try {
      expect(await workOf("a wrong one", current)).toEqual({ matches: false, work: 2 ** 10 });
      expect(await workOf("a wrong one", cheap)).toEqual({ matches: false, work: 2 ** 10 });
      expect(await workOf("the right one", cheap)).toEqual({ matches: true, work: 2 ** 10 });
      compare.mockClear();
      await hasher.burnVerify("anything");
      expect(compare.mock.calls.map(([, h]) => bcryptCost(String(h)))).toEqual([10]);
    } finally {
      compare.mockRestore();
    }
  });
});
