import { Kysely, PostgresDialect, sql } from "kysely";
import type pg from "pg";
import type { Schema } from "./schema.js";

/**
 * The one database interface the rest of the service sees, whichever engine is underneath:
 * embedded PGlite (a single connection) or a PostgreSQL server (a pool). Both speak through
 * Kysely's PostgresDialect, so the same SQL serves both.
 */
export interface Database {
  readonly kind: "pglite" | "postgres";
  readonly kysely: Kysely<Schema>;
  /**
   * A named prepared statement: parsed and planned once per connection, then only executed. For
   * the hottest reads (the session check on every authenticated request); everything else goes
   * through Kysely.
   */
  prepared<Row>(name: string, text: string, values: readonly unknown[]): Promise<Row[]>;
  /** Throws when the database does not answer within the configured timeout. */
  ping(): Promise<void>;
  /** Connections in use and waiting, for metrics. */
  poolStats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export function createDatabase(
  kind: Database["kind"],
  pool: pg.Pool,
  onClose: () => Promise<void> = async () => {},
): Database {
  const kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    kind,
    kysely,
    async prepared<Row>(name: string, text: string, values: readonly unknown[]) {
      // A client of our own, released at once, as Kysely does: never pool.query (PGlite's adapter
      // breaks under it after an error). A client that failed is destroyed, not reused.
      const client = await pool.connect();
      let failure: Error | undefined;
      try {
        return (await client.query({ name, text, values: [...values] })).rows as Row[];
      } catch (error) {
        failure = error as Error;
        throw error;
      } finally {
        client.release(failure);
      }
    },
    async ping() {
      await sql`select 1`.execute(kysely);
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      if (closed) return;
      closed = true;
      await kysely.destroy();
      await onClose();
    },
  };
}

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
  "08000",
  "08003",
  "08006",
  "08001",
  "08004",
  "57014", // query_canceled (statement_timeout)
]);

const UNAVAILABLE_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|Query read timeout|connection timeout|Client has encountered a connection error|Cannot use a pool after calling end/i;

/** True when an error means "the database cannot be reached right now", not "the query is wrong". */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    if (typeof e !== "object") return false;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
    if (typeof message === "string" && UNAVAILABLE_MESSAGES.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
