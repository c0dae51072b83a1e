import pg from "pg";
import { createDatabase, type Database } from "./database.js";

export interface PostgresOptions {
  url: string;
  poolMax: number;
  /** Bounds connecting and every statement, so a dead database gives an error, never a hang. */
  timeoutMs: number;
  onPoolError?: (error: Error) => void;
}

/** A PostgreSQL server through a node-postgres pool. */
export function openPostgres(options: PostgresOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    connectionTimeoutMillis: options.timeoutMs,
    query_timeout: options.timeoutMs,
    statement_timeout: options.timeoutMs,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: "portico",
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled, it would kill the process.
  pool.on("error", (error) => options.onPoolError?.(error));
  // Kysely ends the pool when the database is closed.
  return createDatabase("postgres", pool);
}
