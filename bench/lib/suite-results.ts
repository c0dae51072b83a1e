/** What `npm run bench` measures on one engine (bench/lib/suite.ts), and what a run of it is given. */
import type { LoadResult } from "./load.js";
import type { Profile } from "./profile.js";

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

/** Results with nothing measured yet. */
export function emptyResults(engine: EngineKind): EngineResults {
  return {
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
}
