/**
 * One target in one rep of `npm run bench:peers`: a server at bcrypt cost 12 (register @8 and @32
 * with its RSS sampled, login @8, a sign-up burst with a /me probe, 8 simultaneous registrations
 * of one e-mail), then a server at cost 4 on the same store (register @32 and @8, /me @32).
 * Every step waits for the server to be idle first and meters the other processes' CPU.
 */
import { type HttpJob, type LoadResult, runLoad, type Scenario } from "../load.js";
import { meterNeighbours } from "../neighbours.js";
import type { Phase } from "../profile.js";
import { sampleMax, settle } from "../server.js";
import { fmt } from "../stats.js";
import type { PeersProfile } from "./profile.js";
import { duplicates, seed } from "./requests.js";
import { APIS, type Instance, LABELS, type Running, type TargetId } from "./targets.js";

/** Everything measured of one target in one rep. */
export interface TargetRun {
  target: TargetId;
  startupMs: number;
  register12c8: LoadResult;
  register12c32: LoadResult;
  login12c8: LoadResult;
  burstLoad: LoadResult;
  burstProbe: LoadResult;
  /** 8 simultaneous registrations of one new e-mail: their statuses, and the bcrypt hashes spent. */
  duplicateStatuses: Record<string, number>;
  duplicateHashes: number;
  register4c32: LoadResult;
  register4c8: LoadResult;
  me32: LoadResult;
  /** Server RSS: the peak while register @32 ran at cost 12; VmHWM of both server processes. */
  registerRssMiB: number;
  lifetimeHwmMiB: number;
  /** Other processes' CPU (cores) during each step. */
  neighbourCores: number[];
}

export interface MeasureOptions {
  profile: PeersProfile;
  /** The bcrypt limit (hashes/s) measured just before: sets the warm-up at cost 12. */
  limit: number;
  log: (line: string) => void;
}

const describe = (x: LoadResult) =>
  `${fmt(x.okRate)}/s p50 ${fmt(x.p50)} p99 ${fmt(x.p99)} ms ${JSON.stringify(x.statusCounts)}${x.errors + x.timeouts > 0 ? ` errors ${x.errors} timeouts ${x.timeouts}` : ""}`;

/** One server of one target: its steps wait for it to be idle and are metered for neighbours. */
interface Session {
  id: TargetId;
  running: Running;
  step<T>(label: string, measure: () => Promise<T>, show: (x: T) => string): Promise<T>;
  /** A load job in the target's dialect, from many client addresses. */
  job(scenario: Scenario, connections: number, phase: Phase, expectStatus: number): HttpJob;
  /** One load run as a step. */
  load(label: string, scenario: Scenario, connections: number, phase: Phase, expectStatus: number): Promise<LoadResult>;
}

const REGISTER: Scenario = { type: "register" };

async function open(instance: Instance, cost: number, options: MeasureOptions, neighbourCores: number[]) {
  const id = instance.id;
  const running = await instance.start(cost);
  const step: Session["step"] = async (label, measure, show) => {
    await settle(running.server.pid);
    const meter = meterNeighbours();
    const x = await measure();
    const foreign = meter.stop();
    neighbourCores.push(foreign);
    const noise = foreign > 0.02 ? ` [other processes: ${fmt(foreign, 2)} cores]` : "";
    options.log(`  ${LABELS[id]}: ${label}, cost ${cost}: ${show(x)}${noise}`);
    return x;
  };
  const job: Session["job"] = (scenario, connections, phase, expectStatus) => {
    // At cost 12 a request waits for the `connections` ahead of it: 1.5 such cycles of warm-up.
    const cycleS = cost === 12 && scenario.type !== "get" ? connections / options.limit : 0;
    const cycles = Number.isFinite(cycleS) ? Math.min(options.profile.maxWarmupS, Math.ceil(1.5 * cycleS)) : 0;
    const warmupS = Math.max(phase.warmupS, cycles);
    const base = { kind: "http", url: running.server.url, scenario, connections, expectStatus, timeoutS: 60 } as const;
    return { ...base, ...phase, warmupS, dialect: APIS[id].dialect, spreadAddresses: true };
  };
  const load: Session["load"] = (label, scenario, connections, phase, expectStatus) =>
    step(
      label,
      async () => (await runLoad([job(scenario, connections, phase, expectStatus)]))[0] as LoadResult,
      describe,
    );
  return { id, running, step, job, load } satisfies Session;
}

/** Register @32 with the server's RSS sampled meanwhile: the result and the peak (MiB). */
async function registerWithRss(s: Session, profile: PeersProfile): Promise<[LoadResult, number]> {
  let peak = 0;
  const x = await s.step(
    "register @32",
    async () => {
      const rss = sampleMax(() => s.running.server.rssMiB());
      const result = (await runLoad([s.job(REGISTER, 32, profile.register12, APIS[s.id].registerStatus)]))[0];
      peak = rss.stop();
      return result as LoadResult;
    },
    (x) => `${describe(x)}; RSS peak ${fmt(peak)} MiB`,
  );
  return [x, peak];
}

/** The sign-up burst: register @32 with a /me probe at 50/s beside it. */
async function burst(s: Session, profile: PeersProfile, token: string): Promise<LoadResult[]> {
  const { registerStatus, mePath } = APIS[s.id];
  const load = s.job(REGISTER, 32, profile.burst, registerStatus);
  // The probe's window is the load's (after its warm-up), and takes every probe sent in it.
  const probe = s.job(
    { type: "get", path: mePath, token },
    64,
    { warmupS: load.warmupS, durationS: load.durationS },
    200,
  );
  return s.step(
    "register @32 + /me probe at 50/s",
    () => runLoad([load, { ...probe, rate: 50, spreadAddresses: false, windowBySend: true }]),
    (xs) => `load ${describe(xs[0] as LoadResult)}; probe ${describe(xs[1] as LoadResult)}`,
  );
}

async function atCost12(instance: Instance, options: MeasureOptions, neighbourCores: number[]) {
  const { profile } = options;
  const s = await open(instance, 12, options, neighbourCores);
  const status = APIS[s.id].registerStatus;
  const { emails, token } = await seed(s.running, s.id, 8);
  const register12c8 = await s.load("register @8", REGISTER, 8, profile.register12, status);
  const [register12c32, registerRssMiB] = await registerWithRss(s, profile);
  const login12c8 = await s.load("login @8", { type: "login", emails }, 8, profile.login12, 200);
  const [burstLoad, burstProbe] = (await burst(s, profile, token)) as [LoadResult, LoadResult];
  const dup = await s.step(
    "8 registrations of one e-mail",
    () => duplicates(s.running, s.id),
    (d) => `${JSON.stringify(d.statuses)}, ${d.hashes} hash(es)`,
  );
  const hwm = s.running.server.hwmMiB();
  await s.running.server.stop();
  const startupMs = s.running.server.startupMs;
  const duplicated = { duplicateStatuses: dup.statuses, duplicateHashes: dup.hashes };
  return {
    startupMs,
    register12c8,
    register12c32,
    login12c8,
    burstLoad,
    burstProbe,
    ...duplicated,
    registerRssMiB,
    hwm,
  };
}

async function atCost4(instance: Instance, options: MeasureOptions, neighbourCores: number[]) {
  const { cheap } = options.profile;
  const s = await open(instance, 4, options, neighbourCores);
  const { registerStatus, mePath } = APIS[s.id];
  const { token } = await seed(s.running, s.id, 1);
  const register4c32 = await s.load("register @32", REGISTER, 32, cheap, registerStatus);
  const register4c8 = await s.load("register @8", REGISTER, 8, cheap, registerStatus);
  const me32 = await s.load("/me @32", { type: "get", path: mePath, token }, 32, cheap, 200);
  const hwm = s.running.server.hwmMiB();
  await s.running.server.stop();
  return { register4c32, register4c8, me32, hwm };
}

/** Measures one target on a fresh store; the store is removed afterwards. */
export async function measureTarget(instance: Instance, options: MeasureOptions): Promise<TargetRun> {
  const neighbourCores: number[] = [];
  try {
    const { hwm: hwm12, ...c12 } = await atCost12(instance, options, neighbourCores);
    const { hwm: hwm4, ...c4 } = await atCost4(instance, options, neighbourCores);
    return { target: instance.id, ...c12, ...c4, lifetimeHwmMiB: Math.max(hwm12, hwm4), neighbourCores };
  } finally {
    await instance.dispose();
  }
}
