/**
 * The reps of `npm run bench:peers`: every target measured once per rep, the order rotated from
 * rep to rep, the bcrypt limit sampled before the first target and after each one (a target's
 * ratios divide by the mean of the samples around it). A rep during which other processes used
 * more than NEIGHBOUR_LIMIT cores in any step is measured again, at most `profile.retries` times
 * (2 in the full run); the least disturbed attempt is kept.
 */
import { availableParallelism } from "node:os";
import { type LoadResult, runLoad } from "../load.js";
import { meterNeighbours } from "../neighbours.js";
import { fmt } from "../stats.js";
import { measureTarget, type TargetRun } from "./measure.js";
import type { PeersProfile } from "./profile.js";
import { newInstance, type PeersContext, TARGETS, type TargetId } from "./targets.js";

/** Portico's default HASH_CONCURRENCY: one bcrypt job per core. */
export const HASH_CONCURRENCY = availableParallelism();
const NEIGHBOUR_LIMIT = 0.15;

export interface Rep {
  rep: number;
  /** 1 for the first attempt. */
  attempt: number;
  order: TargetId[];
  /** bcrypt limit at cost 12 (hashes/s at HASH_CONCURRENCY), before the first target and after each. */
  limits: number[];
  runs: TargetRun[];
  /** The most CPU other processes used in one step (cores). */
  worstNeighbourCores: number;
  disturbed: boolean;
}

/** The order of rep `i`: the targets rotated by i. */
const rotation = (i: number): TargetId[] => TARGETS.map((_, k) => TARGETS[(k + i) % TARGETS.length] as TargetId);

async function limitSample(profile: PeersProfile, neighbours: number[]): Promise<number> {
  const meter = meterNeighbours();
  const [x] = await runLoad([{ kind: "hash", cost: 12, parallelism: HASH_CONCURRENCY, ...profile.limit }]);
  neighbours.push(meter.stop());
  return (x as LoadResult).okRate;
}

async function oneRep(ctx: PeersContext, profile: PeersProfile, rep: number, attempt: number): Promise<Rep> {
  const order = rotation(rep);
  ctx.log(`rep ${rep + 1}/${profile.reps} (attempt ${attempt}): ${order.join(", ")}`);
  const limitNeighbours: number[] = [];
  const limits = [await limitSample(profile, limitNeighbours)];
  ctx.log(`  bcrypt limit, cost 12, ${HASH_CONCURRENCY} at once: ${fmt(limits[0])} hashes/s`);
  const runs: TargetRun[] = [];
  for (const id of order) {
    const instance = await newInstance(ctx, id);
    runs.push(await measureTarget(instance, { profile, limit: limits.at(-1) as number, log: ctx.log }));
    limits.push(await limitSample(profile, limitNeighbours));
    ctx.log(`  bcrypt limit, cost 12: ${fmt(limits.at(-1))} hashes/s`);
  }
  const worst = Math.max(...limitNeighbours, ...runs.flatMap((r) => r.neighbourCores));
  return { rep, attempt, order, limits, runs, worstNeighbourCores: worst, disturbed: worst > NEIGHBOUR_LIMIT };
}

/** Every rep of the profile, each measured again (boundedly) when disturbed. */
export async function runReps(ctx: PeersContext, profile: PeersProfile): Promise<Rep[]> {
  const reps: Rep[] = [];
  for (let rep = 0; rep < profile.reps; rep++) {
    let kept: Rep | undefined;
    for (let attempt = 1; attempt <= 1 + profile.retries; attempt++) {
      const result = await oneRep(ctx, profile, rep, attempt);
      if (!kept || result.worstNeighbourCores < kept.worstNeighbourCores) kept = result;
      if (!result.disturbed) break;
      const again = attempt <= profile.retries ? "measuring the rep again" : "kept the least disturbed attempt";
      ctx.log(
        `  rep disturbed: other processes used ${fmt(result.worstNeighbourCores, 2)} cores in one step; ${again}`,
      );
    }
    reps.push(kept as Rep);
  }
  return reps;
}
