/**
 * Writes the peers' table (issue 14's, with the goal column marked met or missed per Portico
 * engine) between `<!-- peers:start -->` and `<!-- peers:end -->` in BENCHMARKS.md, keeping
 * every other line; and the per-rep raw figures in benchmarks-peers.json.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fmt } from "../stats.js";
import { type Figures, medianFigures, type PeerGoal, peerGoals, repFigures, unexpectedAnswers } from "./figures.js";
import { HASH_CONCURRENCY, type Rep } from "./harness.js";
import { LABELS, TARGETS, type TargetId } from "./targets.js";

const PEERS_START = "<!-- peers:start -->";
const PEERS_END = "<!-- peers:end -->";

export interface PeersRunInfo {
  profile: string;
  date: string;
  commit: string;
  minutes: number;
  node: string;
  postgres: string;
  betterAuth: string;
}

const x = (v: number) => `${fmt(v)} ×`;
const mark = (met: boolean) => (met ? "met ✅" : "missed ❌");

function rows(f: Record<TargetId, Figures>, goals: PeerGoal[]): string[][] {
  const cells = (show: (v: Figures, id: TargetId) => string) => TARGETS.map((id) => show(f[id], id));
  const vsNaive = (rate: (v: Figures) => number, ratio: (v: Figures) => number) =>
    cells((v, id) => (id === "naive" ? fmt(rate(v)) : `${fmt(rate(v))} (${x(ratio(v))} naive)`));
  const figure = [
    [
      "register @8 / @32 / login @8, cost 12, ÷ bcrypt limit",
      ...cells((v) => [v.ratio8, v.ratio32, v.ratioLogin].map((r) => fmt(r)).join(" / ")),
    ],
    [
      "register @32, cost 4 (non-hash overhead), req/s",
      ...vsNaive(
        (v) => v.register4c32,
        (v) => v.register4c32VsNaive,
      ),
    ],
    [
      "register @8, cost 4, req/s",
      ...vsNaive(
        (v) => v.register4c8,
        (v) => v.register4c8VsNaive,
      ),
    ],
    [
      "`/me` @32, req/s",
      ...vsNaive(
        (v) => v.me32,
        (v) => v.me32VsNaive,
      ),
    ],
    ["`/me` probe at 50/s during register @32 (cost 12), p99 (ms)", ...cells((v) => fmt(v.probeP99))],
    [
      "server RSS, peak during register @32 / lifetime peak (VmHWM), MiB",
      ...cells((v) => `${fmt(v.registerRssMiB)} / ${fmt(v.lifetimeHwmMiB)}`),
    ],
    ["8 simultaneous registrations of one e-mail: bcrypt hashes spent", ...cells((v) => fmt(v.duplicateHashes))],
  ];
  return figure.map((row, i) => {
    const g = goals[i] as PeerGoal;
    return [...row, g.goal, `PostgreSQL ${mark(g.met["portico-postgres"])} · PGlite ${mark(g.met["portico-pglite"])}`];
  });
}

const table = (header: string[], body: string[][]) =>
  [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...body.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");

/** Each rep's raw figures, one line per target. */
function perRep(reps: Rep[]): string {
  const body = reps.flatMap((rep) =>
    rep.order.map((id) => {
      const f = repFigures(rep, id);
      const run = rep.runs.find((r) => r.target === id);
      return [
        `${rep.rep + 1}${rep.attempt > 1 ? ` (attempt ${rep.attempt})` : ""}`,
        LABELS[id],
        [f.ratio8, f.ratio32, f.ratioLogin].map((v) => fmt(v)).join(" / "),
        `${fmt(f.register4c32)} / ${fmt(f.register4c8)}`,
        fmt(f.me32),
        fmt(f.probeP99),
        `${fmt(f.registerRssMiB)} / ${fmt(f.lifetimeHwmMiB)}`,
        `${fmt(f.duplicateHashes)} ${JSON.stringify(run?.duplicateStatuses ?? {})}`,
      ];
    }),
  );
  const header = [
    "rep",
    "target (in order)",
    "÷ limit @8/@32/login",
    "c4 req/s @32/@8",
    "/me",
    "probe p99",
    "RSS MiB",
    "dup hashes (statuses)",
  ];
  return table(header, body);
}

function renderPeers(reps: Rep[], info: PeersRunInfo): string {
  const medians = medianFigures(reps);
  const goals = peerGoals(medians);
  const limits = reps.flatMap((r) => r.limits);
  const retried = reps.filter((r) => r.attempt > 1).length;
  const disturbed = reps.filter((r) => r.disturbed).length;
  return `${PEERS_START}
## Beside the peers (issue 14)

Written by \`npm run bench:peers\` (bench/peers.ts, also the last phase of \`npm run bench\`; ${info.profile} run) on
${info.date}, commit \`${info.commit}\`, in ${fmt(info.minutes, 2)} minutes; Node ${info.node}, ${info.postgres}, better-auth ${info.betterAuth}.
Medians of ${reps.length} rep(s); each rep measures the four in a rotated order (rep 1: ${reps[0]?.order.map((id) => LABELS[id]).join(", ")}), and every
ratio is taken inside a rep. bcrypt-12 limit ${fmt(Math.min(...limits))}–${fmt(Math.max(...limits))} hashes/s (${HASH_CONCURRENCY} at once, in a child process).
${retried} rep(s) measured again because other processes used more than 0.15 core in a step; ${disturbed} kept though disturbed.

${table(["figure", ...TARGETS.map((id) => LABELS[id]), "goal", "Portico"], rows(medians, goals))}

- Portico is the built service with its defaults (logs at \`info\`, rate limits, metrics, validation on);
  the load spreads its requests over client addresses with \`X-Forwarded-For\`, which Portico trusts from
  loopback by default (\`TRUST_PROXY=loopback\`), so the per-address limits stay on without refusing it.
  The naive peer (bench/peers/naive.mjs) and better-auth (bench/peers/better-auth.mjs, bcrypt 12 through
  \`emailAndPassword.password\`, rate limiter off, bearer plugin) use the same PostgreSQL server; fresh
  databases in every rep. The load targets 127.0.0.1 only.
- Answers other than 2xx (and connection errors, timeouts), over all reps and attempts kept:
${TARGETS.map((id) => `  - ${LABELS[id]}: ${unexpectedAnswers(reps, id)}`).join("\n")}

Every rep (raw figures in benchmarks-peers.json):

${perRep(reps)}
${PEERS_END}`;
}

/** Puts the section into BENCHMARKS.md (replacing the last one, or before the Analysis), and the JSON beside it. */
export function writePeers(outDir: string, reps: Rep[], info: PeersRunInfo): string {
  const file = join(outDir, "BENCHMARKS.md");
  const section = renderPeers(reps, info);
  const doc = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const start = doc.indexOf(PEERS_START);
  const end = doc.indexOf(PEERS_END);
  let next: string;
  if (start >= 0 && end > start) next = doc.slice(0, start) + section + doc.slice(end + PEERS_END.length);
  else if (doc.includes("\n## Analysis")) next = doc.replace("\n## Analysis", `\n${section}\n\n## Analysis`);
  else next = `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  const json = { ...info, hashConcurrency: HASH_CONCURRENCY, medians: medianFigures(reps), reps };
  writeFileSync(join(outDir, "benchmarks-peers.json"), `${JSON.stringify(json, null, 1)}\n`);
  return file;
}
