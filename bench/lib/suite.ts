import { join } from "node:path";
import bcrypt from "bcrypt";
import { BENCH_PASSWORD } from "../load-worker.js";
import { type Store, storedEmails, storeUsers } from "./database.js";
import { type LoadResult, runLoad } from "./load.js";
import { cpuSecondsOf, type ServerProcess, sampleMax, startServer } from "./server.js";
import { fmt, median } from "./stats.js";
import { type EngineResults, emptyResults, type SuiteContext } from "./suite-results.js";
import { describe, PARALLELISM, Runner, tokenFrom } from "./suite-runner.js";

export type { EngineKind, EngineResults, SuiteContext } from "./suite-results.js";

interface Phases {
  ctx: SuiteContext;
  r: EngineResults;
  run: Runner;
}

/** Start-up on an empty store, `repeats` times; the last store becomes the main one. */
async function startupEmpty({ ctx, r, run }: Phases): Promise<Store> {
  let main: Store | undefined;
  for (let i = 0; i < ctx.profile.repeats; i++) {
    main = await run.newStore();
    const server = await run.start(main, 12);
    r.startupEmptyMs.push(server.startupMs);
    run.say(`start-up, empty store ${i + 1}/${ctx.profile.repeats}: ${fmt(server.startupMs)} ms`);
    await server.stop();
  }
  return main as Store;
}

/** One round at cost 12: each register and login run between two samples of the limit. */
async function roundAtCost12(p: Phases, server: ServerProcess, token: string, seeded: string[], round: string) {
  const { ctx, r, run } = p;
  const { profile } = ctx;
  // The limit before and after each run: its reference is the mean of the two, which
  // cancels a steady drift of the machine's speed (it drifts by a few % within minutes).
  const limitSample = async () => {
    await run.step(`bcrypt limit, cost 12, ${PARALLELISM} at once, server idle ${round}`, () =>
      run.limit(12, profile.limit12, r.limit12),
    );
    return r.limit12.at(-1) as number;
  };
  const bracketed = async (around: number[], label: string, measure: () => Promise<string>) => {
    const before = r.limit12.at(-1) as number;
    await run.step(label, measure);
    around.push((before + (await limitSample())) / 2);
  };
  await limitSample();
  await bracketed(r.limitAround8, `register, cost 12, 8 connections ${round}`, async () => {
    const [x] = await runLoad([run.http(server, { type: "register" }, 8, profile.register12c8, 201)]);
    r.register12c8.push(x as LoadResult);
    return describe(x as LoadResult);
  });
  await bracketed(r.limitAround32, `register, cost 12, 32 connections ${round}`, async () => {
    const rss = sampleMax(() => server.rssMiB());
    const [x] = await runLoad([run.http(server, { type: "register" }, 32, profile.register12c32, 201)]);
    r.peakRssMiB = Math.max(r.peakRssMiB, rss.stop());
    r.register12c32.push(x as LoadResult);
    return `${describe(x as LoadResult)}; peak RSS ${fmt(r.peakRssMiB)} MiB`;
  });
  await bracketed(r.limitAroundLogin, `login, cost 12, 32 connections ${round}`, async () => {
    const [x] = await runLoad([run.http(server, { type: "login", emails: seeded }, 32, profile.login12, 200)]);
    r.login12.push(x as LoadResult);
    return describe(x as LoadResult);
  });
  await duplicatesAndBurst(p, server, token, seeded, round);
}

async function duplicatesAndBurst(p: Phases, server: ServerProcess, token: string, seeded: string[], round: string) {
  const { ctx, r, run } = p;
  const { profile } = ctx;
  await run.step(`duplicates, cost 12, 32 connections ${round}`, async () => {
    const [x] = await runLoad([run.http(server, { type: "duplicate", emails: seeded }, 32, profile.duplicates12, 409)]);
    r.duplicates12.push(x as LoadResult);
    return describe(x as LoadResult);
  });
  await run.step(`sign-up burst (register@32) with a /me probe at 50/s ${round}`, async () => {
    const [load, probe] = await runLoad([
      run.http(server, { type: "register" }, 32, profile.burst, 201),
      { ...run.http(server, { type: "get", path: "/api/v1/auth/me", token }, 64, profile.burst, 200), rate: 50 },
    ]);
    r.burstLoad.push(load as LoadResult);
    r.burstProbe.push(probe as LoadResult);
    return `load ${describe(load as LoadResult)}; probe ${describe(probe as LoadResult)}`;
  });
}

/** The rounds at cost 12, on the main store seeded with users to log in as. */
async function atCost12(p: Phases, store: Store) {
  const { profile } = p.ctx;
  const hash12 = await bcrypt.hash(BENCH_PASSWORD, 12);
  await storeUsers(store, { prefix: "seed", from: 1, to: profile.seededUsers, hash: hash12 });
  const seeded = storedEmails("seed", 1, profile.seededUsers);
  // Rounds: the limit is measured again in each round, right before the runs it is compared
  // with, so that a ratio is never skewed by the machine getting busier or quieter in between.
  const server = await p.run.start(store, 12);
  const token = await tokenFrom(server);
  for (let i = 0; i < profile.repeats; i++) {
    await roundAtCost12(p, server, token, seeded, `(round ${i + 1}/${profile.repeats})`);
  }
  await server.stop();
}

/** Register at cost 4 with the CPU it costs (server and PostgreSQL), per request. */
async function register4(p: Phases, server: ServerProcess, round: string) {
  const { ctx, r, run } = p;
  const dbCpu = () => (ctx.engine === "postgres" ? cpuSecondsOf("postgres") : 0);
  await run.step(`register, cost 4, 32 connections ${round}`, async () => {
    let cpu = 0;
    let db = 0;
    const [x] = await runLoad([run.http(server, { type: "register" }, 32, ctx.profile.register4, 201)], {
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
}

/** The rounds at cost 4: the limit, register, and /me beside a bare Express route. */
async function atCost4(p: Phases, store: Store) {
  const { ctx, r, run } = p;
  const { profile } = ctx;
  const server = await run.start(store, 4);
  const bare = await startServer({
    cwd: ctx.root,
    logFile: join(ctx.workDir, "bare.log"),
    args: ["--import", "tsx", join(ctx.root, "bench/bare-express.ts")],
    env: {},
  });
  ctx.cleanups.push(() => bare.stop());
  const meToken = await tokenFrom(server);
  for (let i = 0; i < profile.repeats; i++) {
    const round = `(round ${i + 1}/${profile.repeats})`;
    await run.step(`bcrypt limit, cost 4, ${PARALLELISM} at once, server idle ${round}`, () =>
      run.limit(4, profile.limit4, r.limit4),
    );
    await register4(p, server, round);
    await run.step(`GET /api/v1/auth/me, then a bare Express route, 32 connections ${round}`, async () => {
      const meJob = run.http(server, { type: "get", path: "/api/v1/auth/me", token: meToken }, 32, profile.me, 200);
      const [me] = await runLoad([meJob]);
      const [b] = await runLoad([run.http(bare, { type: "get", path: "/bare" }, 32, profile.me, 200)]);
      r.me.push(me as LoadResult);
      r.bare.push(b as LoadResult);
      return `/me ${describe(me as LoadResult)}; bare ${describe(b as LoadResult)}`;
    });
  }
  await bare.stop();
  await server.stop();
}

async function startupExisting({ ctx, r, run }: Phases, store: Store) {
  for (let i = 0; i < ctx.profile.repeats; i++) {
    const again = await run.start(store, 4);
    r.startupExistingMs.push(again.startupMs);
    run.say(`start-up, existing data ${i + 1}/${ctx.profile.repeats}: ${fmt(again.startupMs)} ms`);
    await again.stop();
  }
}

/** Growth: a new store, filled in bulk between measurements. */
async function growth({ ctx, r, run }: Phases) {
  const { profile } = ctx;
  const hash4 = await bcrypt.hash(BENCH_PASSWORD, 4);
  const grown = await run.newStore();
  let stored = 0;
  for (const users of profile.growthSizes) {
    if (users > stored) {
      const t = performance.now();
      await storeUsers(grown, { prefix: "grow", from: stored + 1, to: users, hash: hash4 });
      run.say(`stored ${fmt(users - stored)} users in bulk in ${fmt((performance.now() - t) / 1000)} s`);
      stored = users;
    }
    const s = await run.start(grown, 4);
    const entry = { users, runs: [] as LoadResult[], startupMs: s.startupMs };
    r.growth.push(entry);
    await run.repeat(`register, cost 4, 8 connections, ${fmt(users)} users stored`, profile.repeats, async () => {
      const [x] = await runLoad([run.http(s, { type: "register" }, 8, profile.growth, 201)]);
      entry.runs.push(x as LoadResult);
      return describe(x as LoadResult);
    });
    run.say(`  p50 median ${fmt(median(entry.runs.map((x) => x.p50)))} ms, start-up ${fmt(s.startupMs)} ms`);
    await s.stop();
  }
}

/** Runs every measurement on one engine, in a fixed order, and returns the raw results. */
export async function benchEngine(ctx: SuiteContext): Promise<EngineResults> {
  const r = emptyResults(ctx.engine);
  const p: Phases = { ctx, r, run: new Runner(ctx, r) };
  try {
    const store = await startupEmpty(p);
    await atCost12(p, store);
    await atCost4(p, store);
    await startupExisting(p, store);
    await growth(p);
    return r;
  } finally {
    for (let cleanup = ctx.cleanups.pop(); cleanup; cleanup = ctx.cleanups.pop()) {
      await cleanup().catch((e) => p.run.say(`cleanup failed: ${e}`));
    }
  }
}
