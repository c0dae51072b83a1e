import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { createPgConfig } from "@electric-sql/pglite/node-postgres";
import pg from "pg";
import lockfile from "proper-lockfile";
import { createDatabase, type Database } from "./database.js";

export class DataDirLockedError extends Error {
  constructor(dataDir: string, options?: ErrorOptions) {
    super(
      `DATA_DIR ${dataDir} is in use by another Portico process. PGlite allows one process per data directory: ` +
        "stop the other process, or set DATA_DIR to another directory, or DATABASE_URL to a PostgreSQL server.",
      options,
    );
    this.name = "DataDirLockedError";
  }
}

export interface PgliteOptions {
  /** A directory on disk, or undefined for an in-memory database (tests). */
  dataDir: string | undefined;
  onLockCompromised?: (error: Error) => void;
}

/**
 * Embedded PostgreSQL in DATA_DIR/pglite. PGlite has no cross-process lock of its own, and two
 * processes on one directory corrupt it, so the directory is locked first (a lock directory
 * refreshed every few seconds; a crashed holder's lock goes stale after 15 s).
 */
export async function openPglite(options: PgliteOptions): Promise<Database> {
  let release: (() => Promise<void>) | undefined;
  let dataPath: string | undefined;
  if (options.dataDir !== undefined) {
    const dir = resolve(options.dataDir);
    mkdirSync(dir, { recursive: true });
    try {
      release = await lockfile.lock(dir, {
        lockfilePath: join(dir, "portico.lock"),
        stale: 15_000,
        update: 5_000,
        realpath: false,
        onCompromised: (error) => options.onLockCompromised?.(error),
      });
    } catch (error) {
      if ((error as { code?: string }).code === "ELOCKED")
        throw new DataDirLockedError(options.dataDir, { cause: error });
      throw error;
    }
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
