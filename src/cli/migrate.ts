import { migrateToLatest } from "../db/index.js";
import { type CliIo, consoleIo, EXIT, runIfMain, withDatabase } from "./run.js";

/**
 * `npm run migrate`: applies pending migrations to the configured database (DATABASE_URL, or
 * PGlite in DATA_DIR) and says which. Safe while other instances start: the migrator holds a
 * PostgreSQL advisory lock. Exit 0 when the schema is up to date, 1 on failure, 2 on bad config.
 */
export function runMigrate(env: NodeJS.ProcessEnv = process.env, io: CliIo = consoleIo): Promise<number> {
  return withDatabase("migrate", env, io, async (database) => {
    const applied = await migrateToLatest(database.kysely);
    io.out(applied.length > 0 ? `applied: ${applied.join(", ")}` : "already up to date");
    return EXIT.ok;
  });
}

runIfMain(import.meta.url, () => runMigrate());
