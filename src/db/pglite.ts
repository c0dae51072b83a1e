import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { createPgConfig } from "@electric-sql/pglite/node-postgres";
import pg from "pg";
import { keepFilesPrivate, makePrivate, prepareDataDir } from "./data-dir.js";
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
 * PostgreSQL's settings inside PGlite. Its defaults are a server's (shared_buffers 128 MB, sized
 * for many sessions); PGlite has one session and reads through the operating system's page
 * cache, so 16 MB of buffers serve an auth service's working set: resident memory after a
 * reopen 303 → 176 MB, with 30,000 sign-ups' worth of writes 420 → 260 MB (bench, issue 14).
 */
const PGLITE_SETTINGS = ["shared_buffers=16MB", "wal_buffers=1MB", "max_connections=5"];

/**
 * Creating a database (initdb) runs a second WebAssembly instance whose memory the process
 * keeps for its whole life (~500 MB). A new directory is therefore created by a short-lived
 * child process, and this one only ever opens an existing database.
 */
async function initialiseInChildProcess(dataPath: string): Promise<void> {
  if (existsSync(join(dataPath, "PG_VERSION"))) return;
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  const code = `require(process.env.PGLITE_ENTRY).PGlite.create(process.env.PGLITE_DIR).then((db) => db.close()).catch((e) => { console.error(e.message); process.exit(1); });`;
  const child = spawn(process.execPath, ["-e", code], {
    env: { PATH: process.env.PATH ?? "", PGLITE_ENTRY: entry, PGLITE_DIR: dataPath },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve); // after stderr is read to the end, so the message is whole
  });
  // The child's file system chmodded what it made to 0666 (see keepFilesPrivate): make it private.
  if (existsSync(dataPath)) makePrivate(dataPath);
  if (exitCode !== 0)
    throw new Error(`creating the PGlite database failed (exit ${exitCode}): ${stderr.trim().slice(0, 500)}`);
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
    if (dataPath !== undefined) await initialiseInChildProcess(dataPath);
    const pglite = await PGlite.create(dataPath, { postgresqlconf: PGLITE_SETTINGS });
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
