import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import type { RequestListener } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { type Config, loadConfig } from "../src/config.js";
import type { Database } from "../src/db/index.js";
import { openPglite } from "../src/db/pglite.js";
import { openPostgres } from "../src/db/postgres.js";
import { createLogger, type Logger } from "../src/ops/logger.js";
import { createPortico, type Portico } from "../src/portico.js";

/**
 * The PostgreSQL server tests run against, e.g. postgres://postgres@127.0.0.1:5432/test.
 * Unset: those tests skip, and say why. `.ci/run` always sets it.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;
export const SKIP_POSTGRES_REASON = "skipped: set TEST_DATABASE_URL to a PostgreSQL server to run these tests";
export const SKIP_REDIS_REASON = "skipped: set TEST_REDIS_URL to a Redis server to run these tests";

export const TEST_JWT_SECRET = "test-secret-test-secret-test-secret-0123456789";

export function tempDir(prefix = "portico-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Test configuration: bcrypt at its minimum cost, rate limits off, logs silent. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: "test",
    BCRYPT_COST: "4",
    JWT_SECRET: TEST_JWT_SECRET,
    RATE_LIMIT: "off",
    LOG_LEVEL: "silent",
    DATA_DIR: tempDir(),
    ...env,
  });
}

export function uniqueEmail(tag = "user"): string {
  return `${tag}-${randomUUID()}@example.com`;
}

/**
 * A new, empty database on the PostgreSQL server (CREATE DATABASE), dropped by `drop()`.
 * Each test file gets its own, so files never see each other's rows or migrations.
 */
export async function createServerDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `portico_test_${randomUUID().replaceAll("-", "")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface TestEngine {
  name: string;
  /** Opens an empty database; `close` also drops it. */
  open(): Promise<Database>;
}

/** PGlite always; the PostgreSQL server when TEST_DATABASE_URL is set. */
export const TEST_ENGINES: TestEngine[] = [
  { name: "PGlite", open: () => openPglite({ dataDir: undefined }) },
  ...(TEST_DATABASE_URL
    ? [
        {
          name: "PostgreSQL server",
          async open() {
            const server = await createServerDatabase(TEST_DATABASE_URL as string);
            const database = openPostgres({ url: server.url, poolMax: 10, timeoutMs: 5000 });
            const close = database.close;
            return {
              ...database,
              async close() {
                await close();
                await server.drop();
              },
            };
          },
        },
      ]
    : []),
];

export function silentLogger(): Logger {
  return createLogger({ level: "silent" });
}

/** The whole service in-process on a given database, migrated. */
export async function createTestPortico(database: Database, env: Record<string, string> = {}): Promise<Portico> {
  return createPortico(testConfig(env), silentLogger(), database);
}

/** A valid registration body with a unique e-mail. */
export function newUserBody(overrides: Record<string, unknown> = {}) {
  return {
    email: uniqueEmail(),
    password: "correct horse battery staple",
    firstName: "Ada",
    lastName: "Lovelace",
    ...overrides,
  };
}

/** Serves an app on a free loopback port, for tests that need a real socket (fetch, browsers). */
export async function listenOnLoopback(app: RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(app).listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
