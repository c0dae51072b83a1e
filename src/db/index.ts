import type { Config } from "../config.js";
import type { Database } from "./database.js";
import { openPglite } from "./pglite.js";
import { openPostgres } from "./postgres.js";

export type { Database } from "./database.js";
export { isDatabaseUnavailable } from "./database.js";
export { migrateToLatest } from "./migrate.js";

export interface OpenDatabaseHooks {
  onPoolError?: (error: Error) => void;
  onLockCompromised?: (error: Error) => void;
}

/** A PostgreSQL server when DATABASE_URL is set, embedded PGlite in DATA_DIR otherwise. */
export async function openDatabase(
  config: Pick<Config, "databaseUrl" | "dataDir" | "dbPoolMax" | "dbTimeoutMs">,
  hooks: OpenDatabaseHooks = {},
): Promise<Database> {
  if (config.databaseUrl) {
    return openPostgres({
      url: config.databaseUrl,
      poolMax: config.dbPoolMax,
      timeoutMs: config.dbTimeoutMs,
      ...(hooks.onPoolError && { onPoolError: hooks.onPoolError }),
    });
  }
  return openPglite({
    dataDir: config.dataDir,
    ...(hooks.onLockCompromised && { onLockCompromised: hooks.onLockCompromised }),
  });
}
