/**
 * `npm run bench:part-two`: what part two of SPEC (sessions, the mail outbox) costs, measured side
 * by side with the main branch from before it, in one run, on PGlite and on a PostgreSQL server:
 *
 * - GET /api/v1/auth/me at 32 connections (sessions add a join: the same one query per request);
 * - the /me probe at 50/s during a sign-up burst (register at 32 connections, bcrypt cost 12), p99;
 * - registration at 8 connections, cost 12 (one more row, the verification mail, per sign-up);
 * - and for today's build only: POST /password/forgot at 32 connections, and the outbox's delivery
 *   rate to a local SMTP sink with one and with two instances.
 *
 * The baseline is built from BASELINE (default c522187, the last commit before sessions) in a
 * temporary git worktree. Writes its section into docs/BENCHMARKS.md (inside the kept analysis).
 * Loopback only; every loop is bounded by a duration.   Options: --rounds=3 --baseline=<commit>
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createFreshDatabase } from "./lib/database.js";
import { type LoadResult, runLoad, type Scenario } from "./lib/load.js";
import { measureOutbox } from "./lib/outbox-rate.js";
import { type ServerProcess, settle, startServer } from "./lib/server.js";
import { fmt, median } from "./lib/stats.js";
import { BENCH_PASSWORD } from "./load-worker.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: { rounds: { type: "string", default: "3" }, baseline: { type: "string", default: "c522187" } },
});
const ROUNDS = Number(args.rounds);
const PG_BASE = process.env.BENCH_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);

type Variant = "before" | "after";
type Engine = "pglite" | "postgres";
interface Sample {
  me: LoadResult;
  probe: LoadResult;
  register: LoadResult;
}

function buildBaseline(commit: string): string {
  const dir = mkdtempSync(join(tmpdir(), "portico-baseline-"));
  execFileSync("git", ["worktree", "add", "--detach", dir, commit], { cwd: root, stdio: "ignore" });
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  execFileSync("npm", ["run", "--silent", "build:server"], { cwd: dir, stdio: "inherit" });
  return dir;
}

const http = (
  server: ServerProcess,
  scenario: Scenario,
  connections: number,
  durationS: number,
  expectStatus: number,
  rate?: number,
) => ({
  kind: "http" as const,
  url: server.url,
  scenario,
  connections,
  warmupS: 2,
  durationS,
  expectStatus,
  timeoutS: 30,
  ...(rate !== undefined && { rate }),
});

async function start(cwd: string, engine: Engine, logFile: string) {
  const database = engine === "postgres" ? await createFreshDatabase(PG_BASE) : undefined;
  const dataDir = mkdtempSync(join(tmpdir(), "portico-bench-data-"));
  const server = await startServer({
    cwd,
    logFile,
    env: {
      // As `npm run bench`: development defaults, limits off (one client address sends everything).
      // Mail goes to the development mailbox: the outbox row is written and "sent" by the worker.
      NODE_ENV: "development",
      JWT_SECRET: randomBytes(32).toString("base64url"),
      BCRYPT_COST: "12",
      RATE_LIMIT: "off",
      LOG_LEVEL: "info",
      ...(database ? { DATABASE_URL: database.url } : { DATA_DIR: dataDir }),
    },
  });
  return {
    server,
    async stop() {
      await server.stop();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function tokenOf(server: ServerProcess): Promise<string> {
  const email = `probe-${randomBytes(6).toString("hex")}@bench.example`;
  const res = await fetch(`${server.url}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: BENCH_PASSWORD, name: "Probe" }),
  });
  return ((await res.json()) as { token: string }).token;
}

async function sample(cwd: string, engine: Engine, label: string): Promise<Sample> {
  const { server, stop } = await start(cwd, engine, join(tmpdir(), `portico-part-two-${label}.log`));
  try {
    const token = await tokenOf(server);
    const [me] = await runLoad([http(server, { type: "get", path: "/api/v1/auth/me", token }, 32, 10, 200)]);
    await settle(server.pid);
    const [, probe] = await runLoad([
      http(server, { type: "register" }, 32, 15, 201),
      http(server, { type: "get", path: "/api/v1/auth/me", token }, 64, 15, 200, 50),
    ]);
    await settle(server.pid);
    const [register] = await runLoad([http(server, { type: "register" }, 8, 15, 201)]);
    return { me: me as LoadResult, probe: probe as LoadResult, register: register as LoadResult };
  } finally {
    await stop();
  }
}

async function forgotRate(engine: Engine): Promise<LoadResult> {
  const { server, stop } = await start(root, engine, join(tmpdir(), "portico-part-two-forgot.log"));
  try {
    const known = [];
    for (let i = 0; i < 20; i++)
      known.push(
        (
          (await fetch(`${server.url}/api/v1/auth/register`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              email: `f${i}-${randomBytes(4).toString("hex")}@bench.example`,
              password: BENCH_PASSWORD,
              name: "F",
            }),
          }).then((r) => r.json())) as { user: { email: string } }
        ).user.email,
      );
    const unknown = known.map((_, i) => `nobody-${i}@bench.example`);
    const [result] = await runLoad([http(server, { type: "forgot", emails: [...known, ...unknown] }, 32, 10, 202)]);
    return result as LoadResult;
  } finally {
    await stop();
  }
}

function section(
  results: Record<Engine, Record<Variant, Sample[]>>,
  forgot: Record<Engine, LoadResult>,
  outbox: Awaited<ReturnType<typeof measureOutbox>>,
  baseline: string,
): string {
  const m = (xs: Sample[], pick: (s: Sample) => number) => median(xs.map(pick));
  const rows: string[] = [];
  for (const engine of ["pglite", "postgres"] as Engine[]) {
    const { before, after } = results[engine];
    const row = (name: string, pick: (s: Sample) => number, unit: string, higherIsBetter: boolean) => {
      const b = m(before, pick);
      const a = m(after, pick);
      const ratio = a / b;
      rows.push(
        `| ${engine} | ${name} | ${fmt(b)} ${unit} | ${fmt(a)} ${unit} | ${fmt(ratio)} × ${higherIsBetter ? "" : "(lower is better)"} | ${before.map((s) => fmt(pick(s))).join(" · ")} → ${after.map((s) => fmt(pick(s))).join(" · ")} |`,
      );
    };
    row("`/me` @32", (s) => s.me.okRate, "req/s", true);
    row("`/me` probe p99 during register @32, cost 12", (s) => s.probe.p99, "ms", false);
    row("register @8, cost 12", (s) => s.register.okRate, "req/s", true);
  }
  return [
    `### Part two's cost: before (\`${baseline}\`) and after, same run`,
    "",
    `Written by \`npm run bench:part-two\` on ${new Date().toISOString().slice(0, 10)} (${ROUNDS} rounds, the two builds alternating; medians, then every sample).`,
    "",
    "| database | figure | before | after | after ÷ before | samples (before → after) |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
    `POST /password/forgot @32 (20 known and 20 unknown addresses, limits off): PGlite ${fmt(forgot.pglite.okRate)} 202/s, PostgreSQL ${fmt(forgot.postgres.okRate)} 202/s (p50 ${fmt(forgot.pglite.p50)} / ${fmt(forgot.postgres.p50)} ms: the ${"120"} ms floor that makes both paths look alike); statuses ${JSON.stringify(forgot.pglite.statusCounts)} / ${JSON.stringify(forgot.postgres.statusCounts)}.`,
    "",
    `Outbox delivery to a local SMTP sink (${outbox.mails} mails queued at once, PostgreSQL server): one worker ${fmt(outbox.one)} mails/s, two workers (two instances' worth) ${fmt(outbox.two)} mails/s; each mail delivered exactly once (${outbox.duplicates} duplicates).`,
  ].join("\n");
}

function writeSection(text: string) {
  const file = join(root, "docs", "BENCHMARKS.md");
  const doc = readFileSync(file, "utf8");
  const START = "<!-- part-two:start -->";
  const END = "<!-- part-two:end -->";
  const block = `${START}\n${text}\n${END}`;
  const next = doc.includes(START)
    ? doc.slice(0, doc.indexOf(START)) + block + doc.slice(doc.indexOf(END) + END.length)
    : doc.replace("<!-- analysis:end -->", `\n${block}\n<!-- analysis:end -->`);
  writeFileSync(file, next);
}

async function main() {
  log("building today's server and the baseline");
  execFileSync("npm", ["run", "--silent", "build:server"], { cwd: root, stdio: "inherit" });
  const baselineDir = buildBaseline(args.baseline);
  try {
    const results = { pglite: { before: [], after: [] }, postgres: { before: [], after: [] } } as Record<
      Engine,
      Record<Variant, Sample[]>
    >;
    for (let round = 0; round < ROUNDS; round++) {
      for (const engine of ["pglite", "postgres"] as Engine[]) {
        const order: Variant[] = round % 2 === 0 ? ["before", "after"] : ["after", "before"];
        for (const variant of order) {
          const s = await sample(variant === "before" ? baselineDir : root, engine, `${engine}-${variant}`);
          results[engine][variant].push(s);
          log(
            `${engine} ${variant} round ${round + 1}: /me ${fmt(s.me.okRate)}/s, probe p99 ${fmt(s.probe.p99)} ms, register@8 ${fmt(s.register.okRate)}/s`,
          );
        }
      }
    }
    const forgot = { pglite: await forgotRate("pglite"), postgres: await forgotRate("postgres") };
    log(`forgot: ${fmt(forgot.pglite.okRate)} / ${fmt(forgot.postgres.okRate)} per s`);
    const outbox = await measureOutbox(PG_BASE, 300);
    log(`outbox: ${fmt(outbox.one)} / ${fmt(outbox.two)} mails/s`);
    const text = section(results, forgot, outbox, args.baseline);
    writeSection(text);
    console.log(text);
  } finally {
    execFileSync("git", ["worktree", "remove", "--force", baselineDir], { cwd: root, stdio: "ignore" });
    if (existsSync(baselineDir)) rmSync(baselineDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
