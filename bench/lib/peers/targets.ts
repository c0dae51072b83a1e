/**
 * The four implementations `npm run bench:peers` measures side by side, and how each is started:
 * Portico (the built service, its defaults kept) on a PostgreSQL server and on PGlite, the naive
 * Express peer and better-auth 1.7 (bench/peers/), the three on the same PostgreSQL server.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createFreshDatabase } from "../database.js";
import type { Dialect } from "../load.js";
import { freePort, type ServerProcess, startServer } from "../server.js";

export type TargetId = "portico-postgres" | "portico-pglite" | "naive" | "better-auth";
export const TARGETS: TargetId[] = ["portico-postgres", "portico-pglite", "naive", "better-auth"];
export const LABELS: Record<TargetId, string> = {
  "portico-postgres": "Portico PostgreSQL",
  "portico-pglite": "Portico PGlite",
  naive: "naive",
  "better-auth": "better-auth",
};

export interface PeersContext {
  root: string;
  workDir: string;
  /** postgres://…/postgres: fresh databases are made (and dropped) there. */
  postgresBaseUrl: string;
  log: (line: string) => void;
  /** Run at the end, or by the caller on Ctrl-C: stop servers, drop databases. */
  cleanups: (() => Promise<void>)[];
}

/** What the harness needs to know of a target's API. */
export interface Api {
  dialect: Dialect;
  /** The status a successful registration answers. */
  registerStatus: number;
  mePath: string;
}

export const APIS: Record<TargetId, Api> = {
  "portico-postgres": { dialect: "portico", registerStatus: 201, mePath: "/api/v1/auth/me" },
  "portico-pglite": { dialect: "portico", registerStatus: 201, mePath: "/api/v1/auth/me" },
  naive: { dialect: "portico", registerStatus: 201, mePath: "/api/v1/auth/me" },
  "better-auth": { dialect: "better-auth", registerStatus: 200, mePath: "/api/auth/get-session" },
};

export interface Running {
  server: ServerProcess;
  /** bcrypt hashes (not verifies) spent so far. */
  hashes(): Promise<number>;
}

/** One target's store for one rep: fresh, and removed by `dispose`. */
export interface Instance {
  id: TargetId;
  start(cost: number): Promise<Running>;
  dispose(): Promise<void>;
}

/** Portico's count: its /metrics, on the operators' listener (METRICS_PORT). */
async function porticoHashes(metricsUrl: string): Promise<number> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const line = /^portico_bcrypt_duration_seconds_count\{[^}]*operation="hash"[^}]*\}\s+(\d+)/m.exec(text);
  return line ? Number(line[1]) : 0;
}

/** The peers' count: GET /bench/hashes. */
async function peerHashes(url: string): Promise<number> {
  return ((await (await fetch(`${url}/bench/hashes`)).json()) as { hash: number }).hash;
}

type Store = { dataDir: string } | { url: string };

async function porticoServer(ctx: PeersContext, id: TargetId, store: Store, cost: number): Promise<Running> {
  const metricsPort = await freePort();
  // The defaults stay: RATE_LIMIT on, LOG_LEVEL info, TRUST_PROXY loopback, metrics on.
  const server = await startServer({
    cwd: ctx.root,
    logFile: join(ctx.workDir, `${id}.log`),
    env: {
      ...("url" in store
        ? { DATABASE_URL: store.url, DATA_DIR: join(ctx.workDir, "unused") }
        : { DATA_DIR: store.dataDir }),
      BCRYPT_COST: String(cost),
      JWT_SECRET: randomBytes(32).toString("hex"),
      METRICS_PORT: String(metricsPort),
    },
  });
  return { server, hashes: () => porticoHashes(`http://127.0.0.1:${metricsPort}`) };
}

async function peerServer(ctx: PeersContext, id: TargetId, url: string, cost: number): Promise<Running> {
  const file = id === "naive" ? "naive.mjs" : "better-auth.mjs";
  const script = join(ctx.root, "bench/peers", file);
  const server = await startServer({
    cwd: join(ctx.root, "bench/peers"),
    logFile: join(ctx.workDir, `${id}.log`),
    args: [script],
    env: { DATABASE_URL: url, BCRYPT_COST: String(cost), JWT_SECRET: randomBytes(32).toString("hex") },
  });
  return { server, hashes: () => peerHashes(server.url) };
}

/** A fresh store for `id` (a database on the server, or a PGlite directory). */
export async function newInstance(ctx: PeersContext, id: TargetId): Promise<Instance> {
  const servers: Running[] = [];
  let store: Store;
  let drop: () => Promise<void>;
  if (id === "portico-pglite") {
    const dataDir = mkdtempSync(join(ctx.workDir, "pglite-"));
    store = { dataDir };
    drop = async () => rmSync(dataDir, { recursive: true, force: true });
  } else {
    const db = await createFreshDatabase(ctx.postgresBaseUrl);
    store = { url: db.url };
    drop = db.drop;
  }
  const dispose = async () => {
    for (const s of servers.splice(0)) await s.server.stop();
    await drop();
  };
  ctx.cleanups.push(dispose);
  return {
    id,
    async start(cost) {
      const running =
        id === "portico-postgres" || id === "portico-pglite"
          ? await porticoServer(ctx, id, store, cost)
          : await peerServer(ctx, id, (store as { url: string }).url, cost);
      servers.push(running);
      return running;
    },
    dispose,
  };
}
