import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export type Scenario =
  | { type: "register" }
  | { type: "duplicate"; emails: string[] }
  | { type: "login"; emails: string[] }
  | { type: "get"; path: string; token?: string }
  /** POST /password/forgot, cycling through `emails` (known and unknown addresses alike). */
  | { type: "forgot"; emails: string[] };

/**
 * Whose API a job speaks: Portico's (and the naive peer's, which copies it) or better-auth's
 * (/api/auth/sign-up/email with `name`, /api/auth/sign-in/email). GET paths are given as they are.
 */
export type Dialect = "portico" | "better-auth";

export interface HttpJob {
  kind: "http";
  url: string;
  scenario: Scenario;
  /** Default "portico". */
  dialect?: Dialect;
  /**
   * Each request says it comes from another client address (X-Forwarded-For, which Portico
   * trusts from loopback by default): per-address rate limits stay on without refusing the load.
   */
  spreadAddresses?: boolean;
  connections: number;
  /** Responses in the warm-up are counted by status but not measured. */
  warmupS: number;
  durationS: number;
  /** A steady probe: this many GETs per second, open loop, up to `connections` at once; unset: as fast as answered. */
  rate?: number;
  /**
   * A probe's window takes the requests sent in it, however late they are answered (default: those
   * answered in it). A stall at the end of the window then counts instead of falling outside it.
   */
  windowBySend?: boolean;
  /** The only status that counts as throughput. */
  expectStatus: number;
  timeoutS: number;
}

interface HashJob {
  kind: "hash";
  cost: number;
  parallelism: number;
  warmupS: number;
  durationS: number;
}

export type LoadJob = HttpJob | HashJob;

export interface LoadResult {
  /** Every response by HTTP status (or "hash" for hashing jobs), warm-up included. */
  statusCounts: Record<string, number>;
  /** Connection errors and timeouts (autocannon's counts). */
  errors: number;
  timeouts: number;
  /** Responses of any status, warm-up included. */
  total: number;
  /** Expected-status responses completed inside the measured window, and their rate. */
  okInWindow: number;
  okRate: number;
  /** Latency (ms) of the expected-status responses in the window. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

const WORKER = fileURLToPath(new URL("../load-worker.ts", import.meta.url));

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  result: Promise<LoadResult>;
}

function startWorker(): Worker {
  const child = fork(WORKER, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let onReady: () => void;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const result = new Promise<LoadResult>((resolve, reject) => {
    child.on("message", (message: { ready?: true; result?: LoadResult; error?: string }) => {
      if (message.ready) onReady();
      else if (message.result) resolve(message.result);
      else reject(new Error(`load worker: ${message.error}`));
    });
    child.on("exit", (code) => reject(new Error(`load worker exited with ${code} before answering`)));
  });
  return { child, ready, result };
}

/**
 * Runs jobs at the same moment, each in its own process, and returns their results in order.
 * `around` is called just before the jobs start and after they end (CPU readings, RSS sampling).
 */
export async function runLoad(
  jobs: LoadJob[],
  around?: { before?: () => void; after?: () => void },
): Promise<LoadResult[]> {
  const workers = jobs.map(() => startWorker());
  try {
    await Promise.all(workers.map((w) => w.ready));
    around?.before?.();
    workers.forEach((w, i) => {
      w.child.send(jobs[i] as LoadJob);
    });
    const results = await Promise.all(workers.map((w) => w.result));
    around?.after?.();
    return results;
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill();
  }
}
