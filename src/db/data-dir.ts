import fs, { chmodSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join, resolve, sep } from "node:path";

/** Group and others: no bits at all for DATA_DIR and what is in it. */
const NOT_OWNER = 0o077;
const WRITABLE_BY_OTHERS = 0o022;

export class DataDirPermissionError extends Error {
  constructor(dataDir: string, mode: number) {
    super(
      `DATA_DIR ${dataDir} can be written by other users (mode ${mode.toString(8).padStart(4, "0")}), who could ` +
        `replace the database or the JWT secret in it. Make it private with "chmod 700 ${dataDir}" ` +
        "(and check that nothing in it was put there by someone else), or set DATA_DIR to a directory of its own.",
    );
    this.name = "DataDirPermissionError";
  }
}

/** Makes every directory and file under `dir` owner-only (0700 / 0600). */
export function makePrivate(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) makePrivate(path);
    else if (entry.isFile()) chmodSync(path, 0o600);
  }
}

/**
 * DATA_DIR holds the embedded database and the development JWT secret: it is created 0700, and a
 * directory that other users can write is refused. One made readable by an older version (0755,
 * files 0666) is made private, contents included.
 */
export function prepareDataDir(dataDir: string): string {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = statSync(dir).mode & 0o7777;
  if (mode & WRITABLE_BY_OTHERS) throw new DataDirPermissionError(dataDir, mode);
  if (mode & NOT_OWNER) makePrivate(dir);
  return dir;
}

const privateRoots = new Set<string>();

function isUnderPrivateRoot(path: unknown): boolean {
  if (typeof path !== "string") return false;
  const absolute = resolve(path);
  return [...privateRoots].some((root) => absolute === root || absolute.startsWith(root + sep));
}

function ownerOnly(mode: fs.Mode): fs.Mode {
  const bits = typeof mode === "string" ? Number.parseInt(mode, 8) : mode;
  return bits & ~NOT_OWNER;
}

/**
 * PGlite's file system (Emscripten's NODEFS) chmods every file it creates to 0666, whatever the
 * umask. Under `dir` its chmods keep the owner's bits only, and the umask keeps new files and
 * directories private too (the process's umask: PGlite creates files for as long as it runs).
 */
export function keepFilesPrivate(dir: string): void {
  try {
    process.umask(NOT_OWNER);
  } catch {} // worker threads cannot set it; the chmod below still applies
  if (privateRoots.size === 0) {
    const chmod = fs.chmodSync;
    fs.chmodSync = (path, mode) => chmod(path, isUnderPrivateRoot(path) ? ownerOnly(mode) : mode);
  }
  privateRoots.add(resolve(dir));
}
