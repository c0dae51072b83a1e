import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { createPgConfig } from "@electric-sql/pglite/node-postgres";
import pg from "pg";
import { keepFilesPrivate, prepareDataDir } from "./data-dir.js";
import { lockDataDir } from "./data-dir-lock.js";
import { createDatabase, type Database } from "./database.js";

export { DataDirPermissionError } from "./data-dir.js";
export { DataDirLockedError } from "./data-dir-lock.js";

export interface PgliteOptions {
  /** A directory on disk, or undefined for an in-memory database (tests). */
  dataDir: string | undefined;
  onLockCompromised?: (error: Error) => void;
}

/**
 * Embedded PostgreSQL in DATA_DIR/pglite. PGlite has no cross-process lock of its own, and two
 * processes on one directory corrupt it, so the directory is locked first (see lockDataDir: a
 * crashed holder's lock is taken over at once, a live holder's refused).
 */
export async function openPglite(options: PgliteOptions): Promise<Database> {
  let release: (() => Promise<void>) | undefined;
  let dataPath: string | undefined;
  if (options.dataDir !== undefined) {
    const dir = prepareDataDir(options.dataDir);
    keepFilesPrivate(dir);
    release = await lockDataDir(dir, options.dataDir, (error) => options.onLockCompromised?.(error));
    dataPath = join(dir, "pglite");
  }
  try {
    const pglite = await PGlite.create(dataPath);
    // One connection: PGlite is single-session. Kysely acquires and releases it per query or
    // transaction (never pg.Pool.query, which breaks PGlite's adapter after the first error).
    const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
    return createDatabase("pglite", pool, async () => {
      await pglite.close();
      await release?.();
    });
  } catch (error) {
    await release?.();
    throw error;
  }
}
