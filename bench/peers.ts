/**
 * `npm run bench:peers`: Portico (on a PostgreSQL server and on PGlite) beside a hand-written
 * Express server and better-auth 1.7 (bench/peers/), under the same load, on the same PostgreSQL
 * server, 127.0.0.1 only; writes issue 14's table into docs/BENCHMARKS.md (between
 * `<!-- peers:start -->` and `<!-- peers:end -->`) and the raw reps into docs/benchmarks-peers.json.
 * `npm run bench` runs it as its last phase.
 *
 *   npm run bench:peers                 full run (3 reps, ~20 min), writes docs/
 *   npm run bench:peers -- --quick      smoke run (1 rep, ~3 min), writes to a temporary directory
 *   options: --reps=N  --retries=N (a disturbed rep measured again; full 2, quick 0)  --out=<dir>  --no-build
 *   BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 */
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { PEERS_FULL, PEERS_QUICK } from "./lib/peers/profile.js";
import { benchPeers } from "./lib/peers/run-peers.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    reps: { type: "string" },
    retries: { type: "string" },
    out: { type: "string" },
    "no-build": { type: "boolean", default: false },
  },
});
const base = args.quick ? PEERS_QUICK : PEERS_FULL;
const profile = {
  ...base,
  reps: args.reps ? Number(args.reps) : base.reps,
  retries: args.retries ? Number(args.retries) : base.retries,
};
const outDir = args.out ?? (args.quick ? join(tmpdir(), "portico-bench-quick") : join(root, "docs"));
const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
const cleanups: (() => Promise<void>)[] = [];

process.once("SIGINT", async () => {
  log("interrupted: stopping servers, dropping benchmark databases");
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup().catch(() => {});
  process.exit(130);
});

async function main() {
  if (!args["no-build"]) {
    log("building the server (npm run build:server)");
    const build = spawnSync("npm", ["run", "--silent", "build:server"], { cwd: root, stdio: "inherit" });
    if (build.status !== 0) throw new Error("npm run build:server failed");
  }
  const postgresBaseUrl = process.env.BENCH_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const file = await benchPeers({ root, profile, outDir, postgresBaseUrl, log, cleanups });
  if (!file) process.exit(1);
  log(`wrote ${relative(process.cwd(), file) || file} (${profile.name} run)`);
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
