/**
 * One person registering at a time: register p50 at bcrypt cost 12 and 4, on PGlite and on the
 * PostgreSQL server, plus start-up to /readyz with an empty store and again with its data.
 * Sequential requests, so the numbers are latency, not queueing (npm run bench measures load).
 *
 *   npm run build:server && tsx bench/register-latency.ts [postgres://postgres@127.0.0.1:5432/test]
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFreshDatabase, serverAnswers } from "./lib/database.js";
import { startServer } from "./lib/server.js";

const ROOT = join(import.meta.dirname, "..");
const BASE_URL = process.argv[2] ?? process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SAMPLES: Record<number, number> = { 12: 30, 4: 200 };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function registerOnce(url: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      email: `lat-${randomUUID()}@bench.example`,
      password: "a fine long passphrase",
      name: "Ada",
    }),
  });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`register answered ${res.status}`);
  return performance.now() - started;
}

async function measure(env: Record<string, string>, cost: number, logFile: string) {
  const server = await startServer({
    cwd: ROOT,
    logFile,
    env: { ...env, BCRYPT_COST: String(cost), RATE_LIMIT: "off", LOG_LEVEL: "warn", NODE_ENV: "development" },
  });
  try {
    for (let i = 0; i < 3; i++) await registerOnce(server.url);
    const times: number[] = [];
    for (let i = 0; i < (SAMPLES[cost] ?? 30); i++) times.push(await registerOnce(server.url));
    times.sort((a, b) => a - b);
    return { startupMs: server.startupMs, p50: percentile(times, 50), p95: percentile(times, 95) };
  } finally {
    await server.stop();
  }
}

const rows: string[] = [];
const work = mkdtempSync(join(tmpdir(), "portico-latency-"));
const secret = { JWT_SECRET: "bench-secret-bench-secret-bench-secret-0000" };
try {
  const dataDir = join(work, "data");
  const stores: [string, Record<string, string>, () => Promise<void>][] = [
    ["PGlite", { DATA_DIR: dataDir, ...secret }, async () => {}],
  ];
  if (await serverAnswers(BASE_URL)) {
    const fresh = await createFreshDatabase(BASE_URL);
    stores.push(["PostgreSQL server", { DATABASE_URL: fresh.url, DATA_DIR: join(work, "pg"), ...secret }, fresh.drop]);
  } else {
    console.error(`No PostgreSQL server at ${BASE_URL}: measuring PGlite only.`);
  }
  for (const [name, env, drop] of stores) {
    const first = await measure(env, 12, join(work, "server.log"));
    const again = await measure(env, 4, join(work, "server.log"));
    rows.push(
      `| ${name} | ${Math.round(first.startupMs)} | ${Math.round(again.startupMs)} | ${first.p50.toFixed(0)} · ${first.p95.toFixed(0)} | ${again.p50.toFixed(1)} · ${again.p95.toFixed(1)} |`,
    );
    await drop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(
  "| store | first start, empty (ms) | restart with data (ms) | register cost 12: p50 · p95 (ms) | register cost 4: p50 · p95 (ms) |",
);
console.log("|---|---:|---:|---:|---:|");
for (const row of rows) console.log(row);
