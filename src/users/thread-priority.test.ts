import { readdirSync, readFileSync } from "node:fs";
import bcrypt from "bcrypt";
import { describe, expect, it } from "vitest";
import { lowerPoolThreadPriority, threadNice } from "./thread-priority.js";

const linux = process.platform === "linux";

describe.skipIf(!linux)("bcrypt's threads below the event loop (Linux: needs /proc)", () => {
  it("lowers libuv's pool threads to the nice value asked for, and leaves the event loop's thread alone", async () => {
    const result = await lowerPoolThreadPriority(15);
    expect(result.found).not.toBe("unsupported");
    expect(result.threads.length).toBeGreaterThanOrEqual(4);
    for (const tid of result.threads) expect(threadNice(tid)).toBe(15);
    expect(threadNice(process.pid)).toBe(0);
    if (result.found === "by-name") {
      const names = result.threads.map((tid) => readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim());
      expect(new Set(names)).toEqual(new Set(["libuv-worker"]));
    } else {
      expect([...result.threads].sort((a, b) => a - b)).toEqual(
        readdirSync("/proc/self/task")
          .map(Number)
          .filter((tid) => tid !== process.pid)
          .sort((a, b) => a - b),
      );
    }
    // Hashing still works on the lowered threads.
    expect(await bcrypt.compare("x", await bcrypt.hash("x", 4))).toBe(true);
  });

  it("does nothing for a nice value of 0", async () => {
    expect(await lowerPoolThreadPriority(0)).toEqual({ threads: [], found: "unsupported" });
  });
});
