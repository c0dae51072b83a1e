import { evaluateGoals, p50, p99, pairedRatio, rate, unexpected } from "./goals.js";
import type { LoadResult } from "./load.js";
import { fmt, median } from "./stats.js";
import type { EngineResults } from "./suite.js";

export interface RunInfo {
  profile: string;
  date: string;
  commit: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  postgres: string;
  pglite: string;
  minutes: number;
  /** How often another test run (vitest) was seen on the machine while measuring. */
  busyChecks: number;
  checks: number;
  skipped: string[];
  chartFile: string;
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const NAMES: Record<string, string> = { pglite: "PGlite (embedded)", postgres: "PostgreSQL server" };
const ANALYSIS_START = "<!-- analysis:start -->";
const ANALYSIS_END = "<!-- analysis:end -->";

const PEERS_START = "<!-- peers:start -->";
const PEERS_END = "<!-- peers:end -->";

/** The peers' section (bench/lib/peers/report.ts) of an earlier BENCHMARKS.md, markers included: kept across runs. */
export function keptPeers(previous: string | undefined): string {
  const start = previous?.indexOf(PEERS_START) ?? -1;
  const end = previous?.indexOf(PEERS_END) ?? -1;
  if (!previous || start < 0 || end < start) return "";
  return `${previous.slice(start, end + PEERS_END.length)}\n\n`;
}

/** The hand-written analysis of an earlier BENCHMARKS.md, kept across runs. */
export function keptAnalysis(previous: string | undefined): string {
  const start = previous?.indexOf(ANALYSIS_START) ?? -1;
  const end = previous?.indexOf(ANALYSIS_END) ?? -1;
  if (!previous || start < 0 || end < start) return "_No analysis written yet._";
  return previous.slice(start + ANALYSIS_START.length, end).trim();
}

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

const samples = (runs: LoadResult[], pick: (x: LoadResult) => number) => runs.map((x) => fmt(pick(x))).join(" · ");

/** docs/BENCHMARKS.md from the results of one run. */
export function renderReport(results: EngineResults[], info: RunInfo, analysis: string, peers = ""): string {
  const cols = results.map((r) => NAMES[r.engine] ?? r.engine);
  const row = (label: string, cell: (r: EngineResults) => string) => [label, ...results.map(cell)];
  const goalsByEngine = results.map(evaluateGoals);
  const goalRows = (goalsByEngine[0] ?? []).map((g, i) => [
    g.label,
    ...goalsByEngine.map((goals) => {
      const x = goals[i] as typeof g;
      return `${x.shown} — **${x.met ? "met ✅" : "not met ❌"}**`;
    }),
  ]);
  const misses = goalsByEngine.flatMap((goals, e) =>
    goals.filter((g) => !g.met).map((g) => `${cols[e]}: ${g.label} (measured ${g.shown})`),
  );
  const quiet =
    info.busyChecks === 0
      ? `no other test run or build was seen on the machine (${info.checks} checks, every 15 s)`
      : `**other test runs or builds were seen on the machine in ${info.busyChecks} of ${info.checks} checks** (every 15 s): some numbers are polluted`;

  const results1 = table(
    ["measurement", ...cols],
    [
      row("bcrypt limit, cost 12 (hashes/s, service parallelism)", (r) => fmt(median(r.limit12))),
      row("bcrypt limit, cost 4 (hashes/s)", (r) => fmt(median(r.limit4))),
      row(
        "register, cost 12, 8 conn: req/s · p50 · p99 (ms)",
        (r) => `${fmt(rate(r.register12c8))} · ${fmt(p50(r.register12c8))} · ${fmt(p99(r.register12c8))}`,
      ),
      row("register, cost 12, 8 conn: ratio to limit", (r) => fmt(pairedRatio(r.register12c8, r.limitAround8))),
      row(
        "register, cost 12, 32 conn: req/s · p50 · p99 (ms)",
        (r) => `${fmt(rate(r.register12c32))} · ${fmt(p50(r.register12c32))} · ${fmt(p99(r.register12c32))}`,
      ),
      row("register, cost 12, 32 conn: ratio to limit", (r) => fmt(pairedRatio(r.register12c32, r.limitAround32))),
      row(
        "login, cost 12, 32 conn: req/s · ratio to limit",
        (r) => `${fmt(rate(r.login12))} · ${fmt(pairedRatio(r.login12, r.limitAroundLogin))}`,
      ),
      row(
        "register, cost 4, 32 conn: req/s · p50 · p99 (ms)",
        (r) => `${fmt(rate(r.register4))} · ${fmt(p50(r.register4))} · ${fmt(p99(r.register4))}`,
      ),
      row("register, cost 4: server CPU per request (ms)", (r) =>
        r.engine === "postgres"
          ? `${fmt(median(r.register4CpuMs))} (+ ${fmt(median(r.register4DbCpuMs))} in PostgreSQL)`
          : `${fmt(median(r.register4CpuMs))} (database included: in-process)`,
      ),
      row("GET /api/v1/auth/me, 32 conn: req/s · p99 (ms)", (r) => `${fmt(rate(r.me))} · ${fmt(p99(r.me))}`),
      row("bare Express 5 route, 32 conn: req/s · p99 (ms)", (r) => `${fmt(rate(r.bare))} · ${fmt(p99(r.bare))}`),
      row(
        "sign-up burst: register@32 req/s · /me probe p50 · p99 (ms)",
        (r) => `${fmt(rate(r.burstLoad))} · ${fmt(p50(r.burstProbe))} · ${fmt(p99(r.burstProbe))}`,
      ),
      row("duplicates, cost 12, 32 conn: req/s (409s)", (r) => fmt(rate(r.duplicates12))),
      ...(results[0]?.growth ?? []).map((g, i) =>
        row(`growth: register p50, cost 4, 8 conn, ${fmt(g.users)} users stored (ms)`, (r) =>
          fmt(p50(r.growth[i]?.runs ?? [])),
        ),
      ),
      row("start-up to /readyz, empty store (ms)", (r) => fmt(median(r.startupEmptyMs))),
      row("start-up to /readyz, existing data (ms)", (r) => fmt(median(r.startupExistingMs))),
      row(`start-up to /readyz, ${fmt(results[0]?.growth.at(-1)?.users)} users stored (ms)`, (r) =>
        fmt(r.growth.at(-1)?.startupMs),
      ),
      row("peak RSS of the server process under register@32 (MiB)", (r) => fmt(r.peakRssMiB)),
    ],
  );

  const all = (r: EngineResults) =>
    [
      ["register c12", unexpected([...r.register12c8, ...r.register12c32, ...r.burstLoad], 201)],
      ["login", unexpected(r.login12, 200)],
      ["duplicates", unexpected(r.duplicates12, 409)],
      ["register c4", unexpected([...r.register4, ...r.growth.flatMap((g) => g.runs)], 201)],
      ["/me", unexpected([...r.me, ...r.burstProbe], 200)],
    ]
      .map(([k, v]) => `${k}: ${v}`)
      .join("; ");

  const detail = table(
    ["run (each sample, in order)", ...cols],
    [
      row("bcrypt limit cost 12 (hashes/s), every sample", (r) => r.limit12.map((v) => fmt(v)).join(" · ")),
      row("register c12 @8: rate ÷ limit around it", (r) =>
        r.register12c8.map((x, i) => fmt(x.okRate / (r.limitAround8[i] ?? Number.NaN))).join(" · "),
      ),
      row("register c12 @32: rate ÷ limit around it", (r) =>
        r.register12c32.map((x, i) => fmt(x.okRate / (r.limitAround32[i] ?? Number.NaN))).join(" · "),
      ),
      row("login c12: rate ÷ limit around it", (r) =>
        r.login12.map((x, i) => fmt(x.okRate / (r.limitAroundLogin[i] ?? Number.NaN))).join(" · "),
      ),
      row("register c12 @8 req/s", (r) => samples(r.register12c8, (x) => x.okRate)),
      row("register c12 @8 p50 / p99", (r) => r.register12c8.map((x) => `${fmt(x.p50)}/${fmt(x.p99)}`).join(" · ")),
      row("register c12 @32 req/s", (r) => samples(r.register12c32, (x) => x.okRate)),
      row("register c12 @32 p50 / p99", (r) => r.register12c32.map((x) => `${fmt(x.p50)}/${fmt(x.p99)}`).join(" · ")),
      row("login c12 req/s", (r) => samples(r.login12, (x) => x.okRate)),
      row("burst probe p99 (ms)", (r) => samples(r.burstProbe, (x) => x.p99)),
      row("duplicates req/s", (r) => samples(r.duplicates12, (x) => x.okRate)),
      row("register c4 req/s", (r) => samples(r.register4, (x) => x.okRate)),
      row("/me req/s", (r) => samples(r.me, (x) => x.okRate)),
      row("bare Express req/s", (r) => samples(r.bare, (x) => x.okRate)),
      ...(results[0]?.growth ?? []).map((g, i) =>
        row(`growth p50, ${fmt(g.users)} users (ms)`, (r) => samples(r.growth[i]?.runs ?? [], (x) => x.p50)),
      ),
      row("start-up, empty (ms)", (r) => r.startupEmptyMs.map((v) => fmt(v)).join(" · ")),
      row("start-up, existing (ms)", (r) => r.startupExistingMs.map((v) => fmt(v)).join(" · ")),
      row("responses other than the expected status", all),
    ],
  );

  return `# Benchmarks

Written by \`npm run bench\` (bench/run.ts, ${info.profile} run) on ${info.date}, commit \`${info.commit}\`,
in ${fmt(info.minutes, 2)} minutes. Do not edit by hand: run the benchmark again. Only the
Analysis section at the end is written by people; the script keeps it.

## The machine, and how to read these numbers

- ${info.cpu}, **${info.cores} cores shared by the server, the database and the load generator**, ${fmt(info.memoryGiB, 2)} GiB RAM; Node ${info.node}; ${info.postgres}; PGlite ${info.pglite}.
- This machine is **noisy**: a shared virtual machine where the load generator and PostgreSQL take
  CPU from the server under test. Read the ratios (measured in the same run, minutes apart) rather
  than the absolute numbers. During this run ${quiet}. Other processes' CPU is also measured
  during every run (the machine's busy time minus this benchmark's processes and PostgreSQL's):
  a run during which they used more than 0.1 core is measured again (up to 3 times).
${results.map((r) => `  ${NAMES[r.engine]}: ${r.retriedRuns} run(s) measured again, ${r.disturbedRuns} kept though disturbed; other processes used ${fmt(mean(r.neighbourCores), 2)} cores on average (at most ${fmt(Math.max(...r.neighbourCores), 2)}) during the kept runs.`).join("\n")}
- Each number is the **median of ${results[0]?.register12c8.length ?? 0} runs**; every sample is listed under "Every run".
  The runs go in rounds, and the bcrypt limit is measured right before and right after each
  register and login run at cost 12 (the machine's speed drifts by a few % within minutes): a
  run's ratio divides its rate by the mean of those two samples, and the table gives the median
  of the rounds' ratios.
- The server is \`node dist/main.js\` (built by \`npm run build:server\`) in its own process, with
  \`RATE_LIMIT=off\`, \`LOG_LEVEL=warn\` and the default \`HASH_CONCURRENCY\` (= cores = ${info.cores}).
  The load comes from autocannon in another process, on 127.0.0.1. Every response is counted by
  status: only the expected status (201, 200 or 409) counts as throughput, and each register
  request carries a new e-mail. Warm-up responses are not measured.
- "bcrypt limit": the service's own hasher (\`createPasswordHasher\`) hashing alone in a separate
  process at the service's parallelism: the physical limit for register and login at that cost.
${info.skipped.length > 0 ? `- Not measured: ${info.skipped.join("; ")}.\n` : ""}
## Goals

${table(["goal", ...cols], goalRows)}

${misses.length === 0 ? "Every goal was met in this run." : `Goals not met in this run (see Analysis):\n\n${misses.map((m) => `- ${m}`).join("\n")}`}

## Results

${results1}

![Benchmark chart: throughput against the bcrypt limit, goals, growth, requests without bcrypt](${info.chartFile})

## Every run

${detail}

${peers}## Analysis

${ANALYSIS_START}
${analysis}
${ANALYSIS_END}
`;
}
