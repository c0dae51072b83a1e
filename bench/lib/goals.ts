import type { LoadResult } from "./load.js";
import { fmt, median } from "./stats.js";
import type { EngineResults } from "./suite.js";

export interface Goal {
  id: string;
  label: string;
  /** The measured value and the bound it must meet. */
  value: number;
  bound: number;
  atLeast: boolean;
  met: boolean;
  /** How the value reads in a table, e.g. "0.99". */
  shown: string;
}

export const rate = (runs: LoadResult[]) => median(runs.map((x) => x.okRate));
export const p50 = (runs: LoadResult[]) => median(runs.map((x) => x.p50));
export const p99 = (runs: LoadResult[]) => median(runs.map((x) => x.p99));

/**
 * The median over rounds of (run i's rate ÷ reference i): the limit (or the register rate) is
 * measured in the same round, minutes apart, so a ratio never mixes a busy and a quiet moment.
 */
export function pairedRatio(runs: LoadResult[], reference: number[]): number {
  return median(runs.map((x, i) => x.okRate / (reference[i] ?? Number.NaN)));
}

function goal(id: string, label: string, value: number, bound: number, atLeast: boolean, digits = 3): Goal {
  const met = Number.isFinite(value) && (atLeast ? value >= bound : value <= bound);
  return { id, label, value, bound, atLeast, met, shown: fmt(value, digits) };
}

/** The two goals of register at cost 12 on one connection count: its rate against the bcrypt limit, and its tail. */
function registerGoals(runs: LoadResult[], limitAround: number[], connections: number): Goal[] {
  return [
    goal(
      `ratio${connections}`,
      `register, cost 12, ${connections} connections: req/s ÷ bcrypt limit ≥ 0.98`,
      pairedRatio(runs, limitAround),
      0.98,
      true,
    ),
    goal(
      `tail${connections}`,
      `register, cost 12, ${connections} connections: p99 ÷ p50 ≤ 1.15`,
      p99(runs) / p50(runs),
      1.15,
      false,
    ),
  ];
}

/** Register p50 at cost 4 with the most users stored against the fewest. */
function growthGoal(r: EngineResults): Goal {
  const growth0 = r.growth[0];
  const growthLast = r.growth.at(-1);
  return goal(
    "growth",
    `register p50, cost 4: ${fmt(growthLast?.users)} users ÷ ${fmt(growth0?.users)} users ≤ 1.2`,
    growthLast && growth0 ? p50(growthLast.runs) / p50(growth0.runs) : Number.NaN,
    1.2,
    false,
  );
}

/** Every goal of issue 5, evaluated on one engine's results (medians, ratios within the run). */
export function evaluateGoals(r: EngineResults): Goal[] {
  return [
    ...registerGoals(r.register12c8, r.limitAround8, 8),
    ...registerGoals(r.register12c32, r.limitAround32, 32),
    goal(
      "login",
      "login, cost 12, 32 connections: req/s ÷ bcrypt limit ≥ 0.99",
      pairedRatio(r.login12, r.limitAroundLogin),
      0.99,
      true,
    ),
    goal("probe", "sign-up burst: /me probe p99 ≤ 50 ms", p99(r.burstProbe), 50, false),
    goal(
      "duplicates",
      "duplicates, cost 12: req/s ÷ register req/s (32 connections) ≥ 100",
      pairedRatio(
        r.duplicates12,
        r.register12c32.map((x) => x.okRate),
      ),
      100,
      true,
    ),
    growthGoal(r),
  ];
}

/** Responses that were not the expected status, and connection errors/timeouts, e.g. "503×2". */
export function unexpected(runs: LoadResult[], expected: number): string {
  const counts: Record<string, number> = {};
  for (const run of runs) {
    for (const [status, n] of Object.entries(run.statusCounts)) {
      if (Number(status) !== expected) counts[status] = (counts[status] ?? 0) + n;
    }
    if (run.errors > 0) counts["connection errors"] = (counts["connection errors"] ?? 0) + run.errors;
    if (run.timeouts > 0) counts.timeouts = (counts.timeouts ?? 0) + run.timeouts;
  }
  const parts = Object.entries(counts).map(([status, n]) => `${status}×${n}`);
  return parts.length === 0 ? "none" : parts.join(", ");
}
