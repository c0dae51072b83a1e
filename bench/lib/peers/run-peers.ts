/**
 * The whole of `npm run bench:peers`, callable from bench/run.ts as its last phase: installs the
 * peers' own dependencies when missing (`npm ci --prefix bench/peers`: better-auth is never a
 * dependency of the service), runs the reps and writes the section and the JSON into `outDir`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { serverAnswers } from "../database.js";
import { runReps } from "./harness.js";
import type { PeersProfile } from "./profile.js";
import { writePeers } from "./report.js";

export interface BenchPeersOptions {
  root: string;
  profile: PeersProfile;
  outDir: string;
  postgresBaseUrl: string;
  log: (line: string) => void;
  /** Shared with the caller, which runs them on Ctrl-C. */
  cleanups: (() => Promise<void>)[];
}

/** bench/peers/node_modules, installed from its own lockfile when absent. */
function installPeers(root: string, log: (line: string) => void): string {
  const dir = join(root, "bench/peers");
  const manifest = join(dir, "node_modules/better-auth/package.json");
  if (!existsSync(manifest)) {
    log("installing the peers' dependencies (npm ci --prefix bench/peers)");
    const args = ["ci", "--prefix", dir, "--no-audit", "--no-fund"];
    const install = spawnSync("npm", args, { cwd: root, stdio: "inherit" });
    if (install.status !== 0) throw new Error("npm ci --prefix bench/peers failed");
  }
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>("show server_version");
    return `PostgreSQL ${rows[0]?.server_version}`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Runs the comparison; returns the file written, or undefined when no PostgreSQL server answers. */
export async function benchPeers(options: BenchPeersOptions): Promise<string | undefined> {
  const { root, profile, log } = options;
  const started = performance.now();
  if (!(await serverAnswers(options.postgresBaseUrl))) {
    log("peers: skipped, no PostgreSQL server answers (the peers and Portico PostgreSQL need one)");
    return undefined;
  }
  const betterAuth = installPeers(root, log);
  const workDir = mkdtempSync(join(tmpdir(), "portico-peers-"));
  try {
    log(`=== beside the peers (${profile.name} run, ${profile.reps} rep(s)) ===`);
    const reps = await runReps(
      { root, workDir, postgresBaseUrl: options.postgresBaseUrl, log, cleanups: options.cleanups },
      profile,
    );
    mkdirSync(options.outDir, { recursive: true });
    return writePeers(options.outDir, reps, {
      profile: profile.name,
      date: `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
      commit: execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim(),
      minutes: (performance.now() - started) / 60_000,
      node: process.versions.node,
      postgres: await postgresVersion(options.postgresBaseUrl),
      betterAuth,
    });
  } finally {
    for (let cleanup = options.cleanups.pop(); cleanup; cleanup = options.cleanups.pop()) {
      await cleanup().catch((e) => log(`cleanup failed: ${e}`));
    }
    rmSync(workDir, { recursive: true, force: true });
  }
}
