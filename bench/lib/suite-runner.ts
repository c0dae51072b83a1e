/**
 * The tools bench/lib/suite.ts measures one engine with: fresh stores, servers that clean up
 * after themselves, load jobs with a warm-up long enough for steady state, and `step`, which
 * runs a measurement again when other processes disturbed it.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { BENCH_PASSWORD } from "../load-worker.js";
import { createFreshDatabase, type Store } from "./database.js";
import { type HttpJob, type LoadResult, runLoad, type Scenario } from "./load.js";
import { meterNeighbours } from "./neighbours.js";
import type { Phase } from "./profile.js";
import { type ServerProcess, settle, startServer } from "./server.js";
import { fmt, median } from "./stats.js";
import type { EngineResults, SuiteContext } from "./suite-results.js";

export const PARALLELISM = availableParallelism();
/** Other processes' CPU (in cores) above which a run is measured again. */
const NEIGHBOUR_LIMIT = 0.1;
const MAX_ATTEMPTS = 3;

export const describe = (x: LoadResult) =>
  `${fmt(x.okRate)}/s p50 ${fmt(x.p50)} ms p99 ${fmt(x.p99)} ms statuses ${JSON.stringify(x.statusCounts)}${x.errors + x.timeouts > 0 ? ` errors ${x.errors} timeouts ${x.timeouts}` : ""}`;

/** The tools for one engine's run; `r` collects the results. */
export class Runner {
  /** Server processes now running: measurements wait for them to be idle. */
  private readonly running = new Set<number>();
  private cost = 12;

  constructor(
    private readonly ctx: SuiteContext,
    private readonly r: EngineResults,
  ) {}

  say(what: string) {
    this.ctx.log(`[${this.ctx.engine}] ${what}`);
  }

  async newStore(): Promise<Store> {
    const { ctx } = this;
    if (ctx.engine === "pglite") {
      const dataDir = mkdtempSync(join(ctx.workDir, "data-"));
      ctx.cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
      return { kind: "pglite", dataDir };
    }
    const db = await createFreshDatabase(ctx.postgresBaseUrl);
    ctx.cleanups.push(() => db.drop());
    return { kind: "postgres", url: db.url };
  }

  async start(store: Store, cost: number): Promise<ServerProcess> {
    const { ctx, running } = this;
    this.cost = cost;
    const server = await startServer({
      cwd: ctx.root,
      logFile: join(ctx.workDir, `server-${ctx.engine}.log`),
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
    ctx.cleanups.push(() => server.stop());
    return server;
  }

  /**
   * A load job. At cost 12 a request waits for the `connections` ahead of it, so the warm-up
   * lasts at least 1.5 such cycles (from the measured limit): only steady state is measured.
   */
  http(server: ServerProcess, scenario: Scenario, connections: number, phase: Phase, expectStatus: number): HttpJob {
    const limit = median(this.cost === 12 ? this.r.limit12 : this.r.limit4);
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
  }

  /**
   * Waits for the running servers to be idle, runs one measurement and says what it gave. When
   * other processes used more than NEIGHBOUR_LIMIT cores meanwhile, the result is dropped and the
   * measurement runs again (at most MAX_ATTEMPTS times; the last attempt is kept, and counted).
   */
  async step(label: string, measure: () => Promise<string>) {
    const { r } = this;
    const arrays = () => [...Object.values(r).filter(Array.isArray), ...r.growth.map((g) => g.runs)] as unknown[][];
    for (let attempt = 1; ; attempt++) {
      for (const pid of this.running) await settle(pid);
      const lengths = new Map(arrays().map((a) => [a, a.length]));
      const meter = meterNeighbours();
      const text = await measure();
      const foreign = meter.stop();
      const busy = foreign > NEIGHBOUR_LIMIT;
      this.say(`${label}: ${text}${foreign > 0.02 ? ` [other processes: ${fmt(foreign, 2)} cores]` : ""}`);
      if (!busy || attempt === MAX_ATTEMPTS) {
        r.neighbourCores.push(foreign);
        if (busy) r.disturbedRuns++;
        return;
      }
      this.say(`  measuring again: other processes used ${fmt(foreign, 2)} cores meanwhile`);
      r.retriedRuns++;
      for (const [array, length] of lengths) array.length = length;
    }
  }

  async repeat(label: string, times: number, once: (i: number) => Promise<string>) {
    for (let i = 0; i < times; i++) await this.step(`${label} ${i + 1}/${times}`, () => once(i));
  }

  /** One sample of the physical limit: the service's hasher alone, in its own process. */
  async limit(cost: number, phase: Phase, into: number[]): Promise<string> {
    const [x] = await runLoad([{ kind: "hash", cost, parallelism: PARALLELISM, ...phase }]);
    into.push((x as LoadResult).okRate);
    return `${fmt((x as LoadResult).okRate)} hashes/s`;
  }
}

/** Registers a probe user and returns its bearer token. */
export async function tokenFrom(server: ServerProcess): Promise<string> {
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
