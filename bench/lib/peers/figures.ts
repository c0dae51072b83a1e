/**
 * The figures of issue 14's table, from the reps of `npm run bench:peers`: each ratio is taken
 * inside a rep (a rate ÷ the bcrypt limit sampled around it, or ÷ the naive peer's rate in the
 * same rep), then the median over reps; and the goals, met or missed per Portico engine.
 */
import type { LoadResult } from "../load.js";
import { fmt, median } from "../stats.js";
import type { Rep } from "./harness.js";
import type { TargetRun } from "./measure.js";
import { TARGETS, type TargetId } from "./targets.js";

export interface Figures {
  ratio8: number;
  ratio32: number;
  ratioLogin: number;
  register4c32: number;
  register4c8: number;
  me32: number;
  /** Each ÷ the naive peer's in the same rep. */
  register4c32VsNaive: number;
  register4c8VsNaive: number;
  me32VsNaive: number;
  /** This ratio ÷ the best peer's (naive, better-auth) in the same rep. */
  ratio8VsPeers: number;
  ratio32VsPeers: number;
  ratioLoginVsPeers: number;
  probeP99: number;
  registerRssMiB: number;
  lifetimeHwmMiB: number;
  duplicateHashes: number;
}

const run = (rep: Rep, id: TargetId) => rep.runs.find((r) => r.target === id) as TargetRun;

/** The mean of the limit samples just before and just after the target ran. */
function limitAround(rep: Rep, id: TargetId): number {
  const i = rep.order.indexOf(id);
  return ((rep.limits[i] as number) + (rep.limits[i + 1] as number)) / 2;
}

function ratios(rep: Rep, id: TargetId) {
  const r = run(rep, id);
  const limit = limitAround(rep, id);
  return { r8: r.register12c8.okRate / limit, r32: r.register12c32.okRate / limit, login: r.login12c8.okRate / limit };
}

/** One target's figures in one rep. */
export function repFigures(rep: Rep, id: TargetId): Figures {
  const r = run(rep, id);
  const naive = run(rep, "naive");
  const own = ratios(rep, id);
  const peers = [ratios(rep, "naive"), ratios(rep, "better-auth")];
  const best = (pick: (x: typeof own) => number) => Math.max(...peers.map(pick));
  return {
    ratio8: own.r8,
    ratio32: own.r32,
    ratioLogin: own.login,
    register4c32: r.register4c32.okRate,
    register4c8: r.register4c8.okRate,
    me32: r.me32.okRate,
    register4c32VsNaive: r.register4c32.okRate / naive.register4c32.okRate,
    register4c8VsNaive: r.register4c8.okRate / naive.register4c8.okRate,
    me32VsNaive: r.me32.okRate / naive.me32.okRate,
    ratio8VsPeers: own.r8 / best((x) => x.r8),
    ratio32VsPeers: own.r32 / best((x) => x.r32),
    ratioLoginVsPeers: own.login / best((x) => x.login),
    probeP99: r.burstProbe.p99,
    registerRssMiB: r.registerRssMiB,
    lifetimeHwmMiB: r.lifetimeHwmMiB,
    duplicateHashes: r.duplicateHashes,
  };
}

/** Per target: each figure's median over the reps (duplicateHashes: the most any rep spent). */
export function medianFigures(reps: Rep[]): Record<TargetId, Figures> {
  const out = {} as Record<TargetId, Figures>;
  for (const id of TARGETS) {
    const all = reps.map((rep) => repFigures(rep, id));
    const keys = Object.keys(all[0] as Figures) as (keyof Figures)[];
    out[id] = Object.fromEntries(keys.map((k) => [k, median(all.map((f) => f[k]))])) as unknown as Figures;
    out[id].duplicateHashes = Math.max(...all.map((f) => f.duplicateHashes));
  }
  return out;
}

export interface PeerGoal {
  figure: string;
  goal: string;
  met: Record<"portico-postgres" | "portico-pglite", boolean>;
}

const PORTICO = ["portico-postgres", "portico-pglite"] as const;

/** Issue 14's goals, evaluated on the medians. */
export function peerGoals(f: Record<TargetId, Figures>): PeerGoal[] {
  const each = (test: (x: Figures, pg: boolean) => boolean) =>
    Object.fromEntries(PORTICO.map((id) => [id, test(f[id], id === "portico-postgres")])) as PeerGoal["met"];
  const naive = f.naive;
  return [
    {
      figure: "ratios",
      goal: "≥ every peer (each ÷ the best peer's in the same rep ≥ 1)",
      met: each((x) => Math.min(x.ratio8VsPeers, x.ratio32VsPeers, x.ratioLoginVsPeers) >= 1),
    },
    {
      figure: "register32",
      goal: "PostgreSQL ≥ 1.2 × naive; PGlite ≥ 1.0 ×",
      met: each((x, pg) => x.register4c32VsNaive >= (pg ? 1.2 : 1)),
    },
    { figure: "register8", goal: "same", met: each((x, pg) => x.register4c8VsNaive >= (pg ? 1.2 : 1)) },
    {
      figure: "me",
      goal: "PostgreSQL ≥ 2.5 × naive; PGlite ≥ 1.5 ×",
      met: each((x, pg) => x.me32VsNaive >= (pg ? 2.5 : 1.5)),
    },
    { figure: "probe", goal: "≤ 20 ms on both", met: each((x) => x.probeP99 <= 20) },
    {
      figure: "rss",
      goal: "≤ naive + 30 MiB; PGlite ≤ 300 MiB lifetime",
      met: each(
        (x, pg) =>
          x.registerRssMiB <= naive.registerRssMiB + 30 && x.lifetimeHwmMiB <= (pg ? naive.lifetimeHwmMiB + 30 : 300),
      ),
    },
    { figure: "duplicates", goal: "1 on one instance", met: each((x) => x.duplicateHashes <= 1) },
  ];
}

const STEPS: [string, (r: TargetRun) => LoadResult][] = [
  ["register @8 c12", (r) => r.register12c8],
  ["register @32 c12", (r) => r.register12c32],
  ["login @8 c12", (r) => r.login12c8],
  ["burst register @32", (r) => r.burstLoad],
  ["burst /me probe", (r) => r.burstProbe],
  ["register @32 c4", (r) => r.register4c32],
  ["register @8 c4", (r) => r.register4c8],
  ["/me @32", (r) => r.me32],
];

/** Every answer that was not 2xx (and connection errors, timeouts), by target and step, over all reps. */
export function unexpectedAnswers(reps: Rep[], id: TargetId): string {
  const parts: string[] = [];
  for (const [step, pick] of STEPS) {
    const counts: Record<string, number> = {};
    for (const rep of reps) {
      const x = pick(run(rep, id));
      for (const [status, n] of Object.entries(x.statusCounts))
        if (!/^2/.test(status)) counts[status] = (counts[status] ?? 0) + n;
      if (x.errors) counts.errors = (counts.errors ?? 0) + x.errors;
      if (x.timeouts) counts.timeouts = (counts.timeouts ?? 0) + x.timeouts;
    }
    const shown = Object.entries(counts).map(([k, n]) => `${k}×${fmt(n)}`);
    if (shown.length > 0) parts.push(`${step}: ${shown.join(", ")}`);
  }
  const duplicates: Record<string, number> = {};
  for (const rep of reps) {
    for (const [status, n] of Object.entries(run(rep, id).duplicateStatuses)) {
      if (!/^2/.test(status)) duplicates[status] = (duplicates[status] ?? 0) + n;
    }
  }
  const shown = Object.entries(duplicates).map(([k, n]) => `${k}×${fmt(n)}`);
  if (shown.length > 0) parts.push(`8 registrations of one e-mail: ${shown.join(", ")}`);
  return parts.join("; ") || "none";
}
