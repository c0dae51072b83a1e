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
  pool.on("connect", guardClient);
  // Kysely ends the pool when the database is closed.
  return createDatabase("postgres", pool);
}

const swallow = () => {};

/**
 * Two gaps in node-postgres that a dead database exposes:
 * - pg-pool listens for 'error' only on idle clients: a connection lost while a query runs would
 *   emit an unhandled 'error' and kill the process. The query itself still fails (and the client,
 *   no longer queryable, is dropped when released), so the event needs no more handling.
 * - after a client-side "Query read timeout" the connection still waits for its answer, and every
 *   later query on it queues behind; on a network partition that answer never comes. Ending the
 *   client (at once: it closes the socket of a hung query) makes the pool replace the connection
 *   when it is released, so the service recovers when the database does.
 */
function guardClient(client: pg.PoolClient): void {
  client.on("error", swallow);
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: typeof query }).query = (...args) => {
    const result = query(...args);
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        if ((error as Error | undefined)?.message === "Query read timeout") client.end().catch(swallow);
      });
    }
    return result;
  };
}
