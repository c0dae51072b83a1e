import { evaluateGoals } from "./goals.js";
import { everyRunTable, resultsTable, table } from "./report-tables.js";
import { fmt } from "./stats.js";
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

/** The goals' table (one column per engine), and the goals not met in this run. */
function goalsSection(results: EngineResults[], cols: string[]): string {
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
  return `## Goals

${table(["goal", ...cols], goalRows)}

${misses.length === 0 ? "Every goal was met in this run." : `Goals not met in this run (see Analysis):\n\n${misses.map((m) => `- ${m}`).join("\n")}`}

`;
}

function resultsSection(results: EngineResults[], cols: string[], info: RunInfo): string {
  return `## Results

${resultsTable(results, cols)}

![Benchmark chart: throughput against the bcrypt limit, goals, growth, requests without bcrypt](${info.chartFile})

`;
}

/** Each sample of every run, in order, and the responses other than the expected status. */
function everyRunSection(results: EngineResults[], cols: string[]): string {
  return `## Every run

${everyRunTable(results, cols)}

`;
}

/** The title, and who writes the file. */
function intro(info: RunInfo): string {
  return `# Benchmarks

Written by \`npm run bench\` (bench/run.ts, ${info.profile} run) on ${info.date}, commit \`${info.commit}\`,
in ${fmt(info.minutes, 2)} minutes. Do not edit by hand: run the benchmark again. Only the
Analysis section at the end is written by people; the script keeps it.

`;
}

/** The machine, how quiet it was during the run, and how the numbers were measured. */
function machineSection(results: EngineResults[], info: RunInfo): string {
  const quiet =
    info.busyChecks === 0
      ? `no other test run or build was seen on the machine (${info.checks} checks, every 15 s)`
      : `**other test runs or builds were seen on the machine in ${info.busyChecks} of ${info.checks} checks** (every 15 s): some numbers are polluted`;
  return `## The machine, and how to read these numbers

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
`;
}

/** docs/BENCHMARKS.md from the results of one run. */
export function renderReport(results: EngineResults[], info: RunInfo, analysis: string, peers = ""): string {
  const cols = results.map((r) => NAMES[r.engine] ?? r.engine);
  return `${intro(info)}${machineSection(results, info)}${goalsSection(results, cols)}${resultsSection(results, cols, info)}${everyRunSection(results, cols)}${peers}## Analysis

${ANALYSIS_START}
${analysis}
${ANALYSIS_END}
`;
}
