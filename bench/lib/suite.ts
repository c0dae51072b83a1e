import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import bcrypt from "bcrypt";
import { BENCH_PASSWORD } from "../load-worker.js";
import { createFreshDatabase, type Store, storedEmails, storeUsers } from "./database.js";
import { type HttpJob, type LoadResult, runLoad, type Scenario } from "./load.js";
import { meterNeighbours } from "./neighbours.js";
import type { Phase, Profile } from "./profile.js";
import { cpuSecondsOf, type ServerProcess, sampleMax, settle, startServer } from "./server.js";
import { fmt, median } from "./stats.js";

export type EngineKind = "pglite" | "postgres";

export interface EngineResults {
  engine: EngineKind;
  /** Every sample of the limit at cost 12, in order. */
  limit12: number[];
  /** The limit around each register@8, register@32 and login run: the mean of the samples before and after. */
  limitAround8: number[];
  limitAround32: number[];
  limitAroundLogin: number[];
  limit4: number[];
  register12c8: LoadResult[];
  register12c32: LoadResult[];
  login12: LoadResult[];
  duplicates12: LoadResult[];
  burstLoad: LoadResult[];
  burstProbe: LoadResult[];
  register4: LoadResult[];
  /** Server (node) CPU per register at cost 4, and the PostgreSQL server's, in ms. */
  register4CpuMs: number[];
  register4DbCpuMs: number[];
  me: LoadResult[];
  bare: LoadResult[];
  growth: { users: number; runs: LoadResult[]; startupMs: number }[];
  startupEmptyMs: number[];
  startupExistingMs: number[];
  peakRssMiB: number;
  /** Cores used by other processes during each kept run; runs measured again; runs kept though disturbed. */
  neighbourCores: number[];
  retriedRuns: number;
  disturbedRuns: number;
}

export interface SuiteContext {
  engine: EngineKind;
  profile: Profile;
  root: string;
  workDir: string;
  /** postgres://…/postgres: fresh databases are made (and dropped) there. */
  postgresBaseUrl: string;
  jwtSecret: string;
  log: (line: string) => void;
  /** Stops servers, removes data: run at the end, or by the caller on Ctrl-C. */
  cleanups: (() => Promise<void>)[];
}

const PARALLELISM = availableParallelism();
/** Other processes' CPU (in cores) above which a run is measured again. */
const NEIGHBOUR_LIMIT = 0.1;
const MAX_ATTEMPTS = 3;

/** Runs every measurement on one engine, in a fixed order, and returns the raw results. */
export async function benchEngine(ctx: SuiteContext): Promise<EngineResults> {
  const { profile, engine } = ctx;
  const { cleanups } = ctx;
  /** Server processes now running: measurements wait for them to be idle. */
  const running = new Set<number>();
  const say = (what: string) => ctx.log(`[${engine}] ${what}`);
  const hash12 = await bcrypt.hash(BENCH_PASSWORD, 12);
  const hash4 = await bcrypt.hash(BENCH_PASSWORD, 4);
  const r: EngineResults = {
    engine,
    limit12: [],
    limitAround8: [],
    limitAround32: [],
    limitAroundLogin: [],
    limit4: [],
    register12c8: [],
    register12c32: [],
    login12: [],
    duplicates12: [],
    burstLoad: [],
    burstProbe: [],
    register4: [],
    register4CpuMs: [],
    register4DbCpuMs: [],
    me: [],
    bare: [],
    growth: [],
    startupEmptyMs: [],
    startupExistingMs: [],
    peakRssMiB: 0,
    neighbourCores: [],
    retriedRuns: 0,
    disturbedRuns: 0,
  };

  async function newStore(): Promise<Store> {
    if (engine === "pglite") {
      const dataDir = mkdtempSync(join(ctx.workDir, "data-"));
      cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
      return { kind: "pglite", dataDir };
    }
    const db = await createFreshDatabase(ctx.postgresBaseUrl);
    cleanups.push(() => db.drop());
    return { kind: "postgres", url: db.url };
  }

  let currentCost = 12;
  const start = async (store: Store, cost: number) => {
    currentCost = cost;
    const server = await startServer({
      cwd: ctx.root,
      logFile: join(ctx.workDir, `server-${engine}.log`),
      env: {
        DATA_DIR: store.kind === "pglite" ? store.dataDir : join(ctx.workDir, "unused-data-dir"),
        ...(store.kind === "postgres" && { DATABASE_URL: store.url }),
        BCRYPT_COST: String(cost),
        RATE_LIMIT: "off",
        LOG_LEVEL: "warn",
        JWT_SECRET: ctx.jwtSecret,
      },
    });
    running.add(server.pid);
    const stop = server.stop;
    server.stop = async () => {
      running.delete(server.pid);
      await stop();
    };
    cleanups.push(() => server.stop());
    return server;
  };

  /**
   * A load job. At cost 12 a request waits for the `connections` ahead of it, so the warm-up
   * lasts at least 1.5 such cycles (from the measured limit): only steady state is measured.
   */
  const http = (server: ServerProcess, scenario: Scenario, connections: number, phase: Phase, expectStatus: number) => {
    const limit = median(currentCost === 12 ? r.limit12 : r.limit4);
    const cycleS = Number.isFinite(limit) && limit > 0 ? connections / limit : 0;
    const warmupS = Math.max(phase.warmupS, scenario.type === "get" ? 0 : Math.ceil(1.5 * cycleS));
    return {
      kind: "http",
      url: server.url,
      scenario,
      connections,
      expectStatus,
      timeoutS: 60,
      ...phase,
      warmupS,
    } as HttpJob;
  };

  /**
   * Waits for the running servers to be idle, runs one measurement and says what it gave. When
   * other processes used more than NEIGHBOUR_LIMIT cores meanwhile, the result is dropped and the
   * measurement runs again (at most MAX_ATTEMPTS times; the last attempt is kept, and counted).
   */
  async function step(label: string, measure: () => Promise<string>) {
    const arrays = () => [...Object.values(r).filter(Array.isArray), ...r.growth.map((g) => g.runs)] as unknown[][];
    for (let attempt = 1; ; attempt++) {
      for (const pid of running) await settle(pid);
      const lengths = new Map(arrays().map((a) => [a, a.length]));
      const meter = meterNeighbours();
      const text = await measure();
      const foreign = meter.stop();
      const busy = foreign > NEIGHBOUR_LIMIT;
      say(`${label}: ${text}${foreign > 0.02 ? ` [other processes: ${fmt(foreign, 2)} cores]` : ""}`);
      if (!busy || attempt === MAX_ATTEMPTS) {
        r.neighbourCores.push(foreign);
        if (busy) r.disturbedRuns++;
        return;
      }
      say(`  measuring again: other processes used ${fmt(foreign, 2)} cores meanwhile`);
      r.retriedRuns++;
      for (const [array, length] of lengths) array.length = length;
    }
  }

  async function repeat(label: string, times: number, once: (i: number) => Promise<string>) {
    for (let i = 0; i < times; i++) await step(`${label} ${i + 1}/${times}`, () => once(i));
  }
  const describe = (x: LoadResult) =>
    `${fmt(x.okRate)}/s p50 ${fmt(x.p50)} ms p99 ${fmt(x.p99)} ms statuses ${JSON.stringify(x.statusCounts)}${x.errors + x.timeouts > 0 ? ` errors ${x.errors} timeouts ${x.timeouts}` : ""}`;

  /** One sample of the physical limit: the service's hasher alone, in its own process. */
  async function limit(cost: number, phase: Phase, into: number[]): Promise<string> {
    const [x] = await runLoad([{ kind: "hash", cost, parallelism: PARALLELISM, ...phase }]);
    into.push((x as LoadResult).okRate);
    return `${fmt((x as LoadResult).okRate)} hashes/s`;
  }

  async function tokenFrom(server: ServerProcess): Promise<string> {
    const res = await fetch(`${server.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        email: `probe-${randomBytes(6).toString("hex")}@bench.example`,
        password: BENCH_PASSWORD,
        name: "Probe",
      }),
    });
    if (res.status !== 201) throw new Error(`could not register the probe user: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  }

  try {
    // Start-up on an empty store; the last one becomes the main store.
    let main: Store | undefined;
    for (let i = 0; i < profile.repeats; i++) {
      main = await newStore();
      const server = await start(main, 12);
      r.startupEmptyMs.push(server.startupMs);
      say(`start-up, empty store ${i + 1}/${profile.repeats}: ${fmt(server.startupMs)} ms`);
      await server.stop();
    }
    const store = main as Store;
    await storeUsers(store, { prefix: "seed", from: 1, to: profile.seededUsers, hash: hash12 });
    const seeded = storedEmails("seed", 1, profile.seededUsers);

    // Rounds: the limit is measured again in each round, right before the runs it is compared
    // with, so that a ratio is never skewed by the machine getting busier or quieter in between.
    let server = await start(store, 12);
    const token = await tokenFrom(server);
    for (let i = 0; i < profile.repeats; i++) {
      const round = `(round ${i + 1}/${profile.repeats})`;
      // The limit before and after each run: its reference is the mean of the two, which
      // cancels a steady drift of the machine's speed (it drifts by a few % within minutes).
      const limitSample = async () => {
        await step(`bcrypt limit, cost 12, ${PARALLELISM} at once, server idle ${round}`, () =>
          limit(12, profile.limit12, r.limit12),
        );
        return r.limit12.at(-1) as number;
      };
      let before = await limitSample();
      await step(`register, cost 12, 8 connections ${round}`, async () => {
        const [x] = await runLoad([http(server, { type: "register" }, 8, profile.register12c8, 201)]);
        r.register12c8.push(x as LoadResult);
        return describe(x as LoadResult);
      });
      let after = await limitSample();
      r.limitAround8.push((before + after) / 2);
      before = after;
      await step(`register, cost 12, 32 connections ${round}`, async () => {
        const rss = sampleMax(() => server.rssMiB());
        const [x] = await runLoad([http(server, { type: "register" }, 32, profile.register12c32, 201)]);
        r.peakRssMiB = Math.max(r.peakRssMiB, rss.stop());
        r.register12c32.push(x as LoadResult);
        return `${describe(x as LoadResult)}; peak RSS ${fmt(r.peakRssMiB)} MiB`;
      });
      after = await limitSample();
      r.limitAround32.push((before + after) / 2);
      before = after;
      await step(`login, cost 12, 32 connections ${round}`, async () => {
        const [x] = await runLoad([http(server, { type: "login", emails: seeded }, 32, profile.login12, 200)]);
        r.login12.push(x as LoadResult);
        return describe(x as LoadResult);
      });
      after = await limitSample();
      r.limitAroundLogin.push((before + after) / 2);
      await step(`duplicates, cost 12, 32 connections ${round}`, async () => {
        const [x] = await runLoad([http(server, { type: "duplicate", emails: seeded }, 32, profile.duplicates12, 409)]);
        r.duplicates12.push(x as LoadResult);
        return describe(x as LoadResult);
      });
      await step(`sign-up burst (register@32) with a /me probe at 50/s ${round}`, async () => {
        const [load, probe] = await runLoad([
          http(server, { type: "register" }, 32, profile.burst, 201),
          { ...http(server, { type: "get", path: "/api/v1/auth/me", token }, 64, profile.burst, 200), rate: 50 },
        ]);
        r.burstLoad.push(load as LoadResult);
        r.burstProbe.push(probe as LoadResult);
        return `load ${describe(load as LoadResult)}; probe ${describe(probe as LoadResult)}`;
      });
    }
    await server.stop();

    server = await start(store, 4);
    const dbCpu = () => (engine === "postgres" ? cpuSecondsOf("postgres") : 0);
    const bare = await startServer({
      cwd: ctx.root,
      logFile: join(ctx.workDir, "bare.log"),
      args: ["--import", "tsx", join(ctx.root, "bench/bare-express.ts")],
      env: {},
    });
    cleanups.push(() => bare.stop());
    const meToken = await tokenFrom(server);
    for (let i = 0; i < profile.repeats; i++) {
      const round = `(round ${i + 1}/${profile.repeats})`;
      await step(`bcrypt limit, cost 4, ${PARALLELISM} at once, server idle ${round}`, () =>
        limit(4, profile.limit4, r.limit4),
      );
      await step(`register, cost 4, 32 connections ${round}`, async () => {
        let cpu = 0;
        let db = 0;
        const [x] = await runLoad([http(server, { type: "register" }, 32, profile.register4, 201)], {
          before: () => {
            cpu = server.cpuSeconds();
            db = dbCpu();
          },
          after: () => {
            cpu = server.cpuSeconds() - cpu;
            db = dbCpu() - db;
          },
        });
        const result = x as LoadResult;
        r.register4.push(result);
        r.register4CpuMs.push((cpu * 1000) / result.total);
        r.register4DbCpuMs.push((db * 1000) / result.total);
        return `${describe(result)} CPU ${fmt((cpu * 1000) / result.total)} ms/request (+ PostgreSQL ${fmt((db * 1000) / result.total)})`;
      });
      await step(`GET /api/v1/auth/me, then a bare Express route, 32 connections ${round}`, async () => {
        const [me] = await runLoad([
          http(server, { type: "get", path: "/api/v1/auth/me", token: meToken }, 32, profile.me, 200),
        ]);
        const [b] = await runLoad([http(bare, { type: "get", path: "/bare" }, 32, profile.me, 200)]);
        r.me.push(me as LoadResult);
        r.bare.push(b as LoadResult);
        return `/me ${describe(me as LoadResult)}; bare ${describe(b as LoadResult)}`;
      });
    }
    await bare.stop();
    await server.stop();
    for (let i = 0; i < profile.repeats; i++) {
      const again = await start(store, 4);
      r.startupExistingMs.push(again.startupMs);
      say(`start-up, existing data ${i + 1}/${profile.repeats}: ${fmt(again.startupMs)} ms`);
      await again.stop();
    }

    // Growth: a new store, filled in bulk between measurements.
    const grown = await newStore();
    let stored = 0;
    for (const users of profile.growthSizes) {
      if (users > stored) {
        const t = performance.now();
        await storeUsers(grown, { prefix: "grow", from: stored + 1, to: users, hash: hash4 });
        say(`stored ${fmt(users - stored)} users in bulk in ${fmt((performance.now() - t) / 1000)} s`);
        stored = users;
      }
      const s = await start(grown, 4);
      const entry = { users, runs: [] as LoadResult[], startupMs: s.startupMs };
      r.growth.push(entry);
      await repeat(`register, cost 4, 8 connections, ${fmt(users)} users stored`, profile.repeats, async () => {
        const [x] = await runLoad([http(s, { type: "register" }, 8, profile.growth, 201)]);
        entry.runs.push(x as LoadResult);
        return describe(x as LoadResult);
      });
      say(`  p50 median ${fmt(median(entry.runs.map((x) => x.p50)))} ms, start-up ${fmt(s.startupMs)} ms`);
      await s.stop();
    }
    return r;
  } finally {
    for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) {
      await cleanup().catch((e) => say(`cleanup failed: ${e}`));
    }
  }
}
