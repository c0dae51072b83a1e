/**
 * `npm run bench:profile`: where a request's CPU goes. Starts the built server under
 * `--cpu-prof` at bcrypt cost 4 (so hashing does not hide the rest) with its defaults — JSON
 * request log at info, metrics, validation; rate limits off only because one load generator is
 * one client address — drives register @32 then /me @32, and prints the main thread's self time
 * grouped by where the code lives (a package, a file of src/, Node's own code, GC, idle).
 *
 *   npm run bench:profile -- --engine=postgres|pglite  --seconds=8
 *
 * The .cpuprofile files are kept in a temporary directory (printed) for Chrome's DevTools.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createFreshDatabase } from "./lib/database.js";
import { runLoad } from "./lib/load.js";
import { startServer } from "./lib/server.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    engine: { type: "string", default: "postgres" },
    seconds: { type: "string", default: "8" },
    scenario: { type: "string", default: "register,me" },
  },
});

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: "pino", "src/sessions", "node:internal/http", "(garbage collector)". */
export function placeOf(frame: ProfileNode["callFrame"]): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  const own = /\/(src|dist)\/([^/]+)(\/|\.js|\.ts)/.exec(url);
  if (own) return `src/${(own[2] as string).replace(/\.(js|ts)$/, "")}`;
  if (url.startsWith("node:")) return url.replace(/^node:internal\/(deps\/)?/, "node:").split("/")[0] as string;
  return url;
}

export function selfTimeByPlace(profile: CpuProfile): { place: string; ms: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const place = placeOf(node.callFrame);
    totals.set(place, (totals.get(place) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals].map(([place, ms]) => ({ place, ms })).sort((a, b) => b.ms - a.ms);
}

/** The built server under --cpu-prof at bcrypt cost 4, on a fresh PostgreSQL database unless --engine=pglite. */
async function startProfiledServer(workDir: string) {
  const engine = args.engine === "pglite" ? "pglite" : "postgres";
  const database =
    engine === "postgres" ? await createFreshDatabase("postgres://postgres@127.0.0.1:5432/postgres") : null;
  const server = await startServer({
    cwd: root,
    logFile: join(workDir, "server.log"),
    args: ["--cpu-prof", `--cpu-prof-dir=${workDir}`, join(root, "dist/main.js")],
    env: {
      DATA_DIR: join(workDir, "data"),
      ...(database && { DATABASE_URL: database.url }),
      BCRYPT_COST: "4",
      RATE_LIMIT: "off",
      JWT_SECRET: randomBytes(32).toString("hex"),
    },
  });
  return { server, database };
}

/** Registers one user and returns its token, for the /me scenario. */
async function probeToken(url: string): Promise<string> {
  const register = await fetch(`${url}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      email: "probe@bench.example",
      password: "Bench-pass-4f9c-e21a",
      firstName: "A",
      lastName: "B",
    }),
  });
  const { token } = (await register.json()) as { token: string };
  return token;
}

/** Drives each --scenario at 32 connections in turn; returns the requests measured per scenario. */
async function driveScenarios(url: string, token: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const seconds = Number(args.seconds);
  const wanted = (args.scenario ?? "").split(",");
  for (const name of wanted) {
    const scenario =
      name === "me" ? ({ type: "get", path: "/api/v1/auth/me", token } as const) : ({ type: "register" } as const);
    const [result] = await runLoad([
      {
        kind: "http",
        url,
        scenario,
        connections: 32,
        warmupS: 1,
        durationS: seconds,
        expectStatus: name === "me" ? 200 : 201,
        timeoutS: 10,
      },
    ]);
    counts[name] = result?.okInWindow ?? 0;
    console.log(`${name} @32: ${result?.okRate.toFixed(0)} req/s, statuses ${JSON.stringify(result?.statusCounts)}`);
  }
  return counts;
}

/** Prints the main thread's self time by place (the 30 largest), from the .cpuprofile in workDir. */
function printSelfTime(workDir: string, counts: Record<string, number>) {
  const file = readdirSync(workDir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error("no .cpuprofile written");
  const profile = JSON.parse(readFileSync(join(workDir, file), "utf8")) as CpuProfile;
  const places = selfTimeByPlace(profile);
  const total = places.reduce((sum, p) => sum + p.ms, 0);
  const requests = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(
    `\nmain thread self time by place (${(total / 1000).toFixed(1)} s in all, ${requests} measured requests):`,
  );
  for (const { place, ms } of places.slice(0, 30)) {
    console.log(`${((100 * ms) / total).toFixed(1).padStart(5)} %  ${(ms / 1000).toFixed(2).padStart(6)} s  ${place}`);
  }
  console.log(`\nprofile: ${join(workDir, file)}`);
}

async function main() {
  const workDir = mkdtempSync(join(tmpdir(), "portico-profile-"));
  const { server, database } = await startProfiledServer(workDir);
  let counts: Record<string, number>;
  try {
    counts = await driveScenarios(server.url, await probeToken(server.url));
  } finally {
    await server.stop();
    await database?.drop();
  }
  printSelfTime(workDir, counts);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
