import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import pg from "pg";
import { migrateToLatest } from "../../src/db/migrate.js";
import { openPglite } from "../../src/db/pglite.js";
import { openPostgres } from "../../src/db/postgres.js";

/** Where the service keeps its data in one benchmark: a PGlite directory or a server database. */
export type Store = { kind: "pglite"; dataDir: string } | { kind: "postgres"; url: string };

/** A new, empty database on the PostgreSQL server; `drop()` removes it. */
export async function createFreshDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `portico_bench_${randomBytes(6).toString("hex")}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** True when a PostgreSQL server answers at this URL. */
export async function serverAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Stores users `prefix-<from>@bench.example` … `prefix-<to>@bench.example` in bulk with one SQL
 * statement per 100,000 rows (INSERT … SELECT generate_series), all with the same precomputed
 * bcrypt hash. A PGlite directory must not be open in a server at the time (one process only).
 * Migrates first, so it also works on a store no server has opened yet.
 */
export async function storeUsers(store: Store, options: { prefix: string; from: number; to: number; hash: string }) {
  const database =
    store.kind === "pglite"
      ? await openPglite({ dataDir: store.dataDir })
      : openPostgres({ url: store.url, poolMax: 1, timeoutMs: 600_000 });
  try {
    await migrateToLatest(database.kysely);
    const chunk = 100_000;
    for (let start = options.from; start <= options.to; start += chunk) {
      const end = Math.min(options.to, start + chunk - 1);
      await sql`
        INSERT INTO users (email, name, first_name, last_name, password_hash)
        SELECT ${options.prefix} || '-' || g || '@bench.example', 'Seed Bench', 'Seed', 'Bench', ${options.hash}
        FROM generate_series(${start}::int, ${end}::int) AS g`.execute(database.kysely);
    }
    // Fresh statistics, and no checkpoint or autovacuum left to land inside a measurement.
    await sql`VACUUM ANALYZE users`.execute(database.kysely);
    await sql`CHECKPOINT`.execute(database.kysely);
  } finally {
    await database.close();
  }
}

/** The e-mails storeUsers made. */
export function storedEmails(prefix: string, from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `${prefix}-${from + i}@bench.example`);
}
