import { describe, expect, it } from "vitest";
import { oneAtATime } from "./one-at-a-time.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("oneAtATime", () => {
  it("runs jobs of one key one after another, in order, and jobs of other keys alongside", async () => {
    const queue = oneAtATime();
    const log: string[] = [];
    const job = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([
      queue.run("a", job("a1")),
      queue.run("a", job("a2")),
      queue.run("b", job("b1")),
    ]);
    expect(results).toEqual(["a1", "a2", "b1"]);
    expect(log.indexOf("a2 start")).toBeGreaterThan(log.indexOf("a1 end"));
    expect(log.indexOf("b1 start")).toBeLessThan(log.indexOf("a1 end"));
    expect(queue.size()).toBe(0);
  });

  it("goes on after a job that failed, and hands each caller its own answer", async () => {
    const queue = oneAtATime();
    const first = queue.run("k", async () => {
      await tick();
      throw new Error("first failed");
    });
    const second = queue.run("k", async () => "second ran");
    await expect(first).rejects.toThrow("first failed");
    await expect(second).resolves.toBe("second ran");
    expect(queue.size()).toBe(0);
  });
});
