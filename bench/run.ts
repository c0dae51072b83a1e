/**
 * `npm run bench`: builds the server, measures it on PGlite and on a PostgreSQL server (loopback
 * only), and writes docs/BENCHMARKS.md with a chart (docs/benchmarks.svg) and the raw results
 * (docs/benchmarks.json).
 *
 * Its last phase is `npm run bench:peers` (bench/peers.ts): Portico beside the naive and the
 * better-auth peers, written into the same BENCHMARKS.md (its own section) and benchmarks-peers.json.
 *
 *   npm run bench                      full run (~40 min with the peers), writes docs/
 *   npm run bench -- --quick           smoke run (~7 min), writes to a temporary directory
 *   options: --engines=pglite,postgres  --out=<dir>  --no-build  --no-peers
 *   BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres): where fresh
 *   databases are created and dropped.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { renderChart } from "./lib/chart.js";
import { serverAnswers } from "./lib/database.js";
import { PEERS_FULL, PEERS_QUICK } from "./lib/peers/profile.js";
import { benchPeers } from "./lib/peers/run-peers.js";
import { FULL, QUICK } from "./lib/profile.js";
import { keptAnalysis, keptPeers, type RunInfo, renderReport } from "./lib/report.js";
import { benchEngine, type EngineKind, type EngineResults } from "./lib/suite.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    engines: { type: "string", default: "pglite,postgres" },
    out: { type: "string" },
    "no-build": { type: "boolean", default: false },
    "no-peers": { type: "boolean", default: false },
  },
});
const profile = args.quick ? QUICK : FULL;
const outDir = args.out ?? (args.quick ? join(tmpdir(), "portico-bench-quick") : join(root, "docs"));
const postgresBaseUrl = process.env.BENCH_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);

/** Other people's test runs, type-checks and builds: their CPU would pollute the numbers. */
const NEIGHBOURS = "vitest|node_modules/.bin/tsc|astro build|astro check|chromium|biome check";

/** Counts, every 15 s, whether another test run or build shares the machine. */
function watchNeighbours() {
  let busy = 0;
  let checks = 0;
  const check = () => {
    checks++;
    const found = spawnSync("pgrep", ["-f", NEIGHBOURS], { encoding: "utf8" }).stdout.trim();
    if (found) busy++;
  };
  check();
  const timer = setInterval(check, 15_000);
  return {
    stop() {
      clearInterval(timer);
      return { busy, checks };
    },
  };
}

async function postgresVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: postgresBaseUrl });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>("show server_version");
    return `PostgreSQL ${rows[0]?.server_version}`;
  } catch {
    return "PostgreSQL server not reachable";
  } finally {
    await client.end().catch(() => {});
  }
}

/** `npm run build:server`: the benchmark measures dist/main.js. */
function buildServer() {
  log("building the server (npm run build:server)");
  const build = spawnSync("npm", ["run", "--silent", "build:server"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) throw new Error("npm run build:server failed");
}

/** The --engines that can be measured, and why the others are not. */
async function reachableEngines(): Promise<{ engines: EngineKind[]; skipped: string[] }> {
  const wanted = (args.engines ?? "").split(",").filter(Boolean) as EngineKind[];
  const skipped: string[] = [];
  const engines: EngineKind[] = [];
  for (const engine of wanted) {
    if (engine === "postgres" && !(await serverAnswers(postgresBaseUrl))) {
      skipped.push(`the PostgreSQL server (nothing answers at BENCH_DATABASE_URL or ${postgresBaseUrl})`);
      log(`skipping postgres: no server at ${postgresBaseUrl.replace(/\/\/[^@]*@/, "//")}`);
    } else engines.push(engine);
  }
  return { engines, skipped };
}

/** Every engine's suite in turn, in a temporary directory (removed after, or on Ctrl-C with the cleanups run). */
async function measureEngines(engines: EngineKind[], cleanups: (() => Promise<void>)[]) {
  const workDir = mkdtempSync(join(tmpdir(), "portico-bench-"));
  const neighbours = watchNeighbours();
  const results: EngineResults[] = [];
  process.once("SIGINT", async () => {
    log("interrupted: stopping servers, dropping benchmark databases");
    for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup().catch(() => {});
    rmSync(workDir, { recursive: true, force: true });
    process.exit(130);
  });
  try {
    for (const engine of engines) {
      log(`=== ${engine} (${profile.name} run) ===`);
      results.push(
        await benchEngine({
          engine,
          profile,
          root,
          workDir,
          postgresBaseUrl,
          jwtSecret: randomBytes(32).toString("hex"),
          log,
          cleanups,
        }),
      );
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return { results, ...neighbours.stop() };
}

/** What the report says about the run: the machine, the versions, the time taken, how quiet it was. */
async function runInfo(
  started: number,
  busy: number,
  checks: number,
  skipped: string[],
  chartFile: string,
): Promise<RunInfo> {
  const pglite = JSON.parse(readFileSync(join(root, "node_modules/@electric-sql/pglite/package.json"), "utf8")) as {
    version: string;
  };
  return {
    profile: profile.name,
    date: `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    commit: execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim(),
    cpu: cpus()[0]?.model.trim() ?? "unknown CPU",
    cores: cpus().length,
    memoryGiB: totalmem() / 2 ** 30,
    node: process.versions.node,
    postgres: await postgresVersion(),
    pglite: pglite.version,
    minutes: (performance.now() - started) / 60_000,
    busyChecks: busy,
    checks,
    skipped,
    chartFile: relative(outDir, chartFile),
  };
}

async function main() {
  const started = performance.now();
  if (!args["no-build"]) buildServer();
  const { engines, skipped } = await reachableEngines();
  const cleanups: (() => Promise<void>)[] = [];
  const { results, busy, checks } = await measureEngines(engines, cleanups);
  if (results.length === 0) throw new Error("no engine could be measured");

  mkdirSync(outDir, { recursive: true });
  const reportFile = join(outDir, "BENCHMARKS.md");
  const chartFile = join(outDir, "benchmarks.svg");
  writeFileSync(chartFile, renderChart(results));
  writeFileSync(join(outDir, "benchmarks.json"), `${JSON.stringify({ profile: profile.name, results }, null, 1)}\n`);
  const previous = existsSync(reportFile) ? readFileSync(reportFile, "utf8") : undefined;
  const info = await runInfo(started, busy, checks, skipped, chartFile);
  writeFileSync(reportFile, renderReport(results, info, keptAnalysis(previous), keptPeers(previous)));
  log(`wrote ${relative(process.cwd(), reportFile) || reportFile} (${profile.name} run)`);
  if (!args["no-peers"]) {
    const peers = args.quick ? PEERS_QUICK : PEERS_FULL;
    if (await benchPeers({ root, profile: peers, outDir, postgresBaseUrl, log, cleanups })) {
      log(`wrote the peers' section into ${relative(process.cwd(), reportFile) || reportFile}`);
    }
  }
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
