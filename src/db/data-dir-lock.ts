import { mkdirSync, readFileSync, rmdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import lockfile from "proper-lockfile";

/** A lock whose directory has not been touched for this long is abandoned, wherever its holder ran. */
const STALE_MS = 15_000;
/**
 * proper-lockfile's own stale check is off (it would rmdir a lock with owner.json inside): every
 * removal goes through takeOver below. Its threshold for giving up on failed refreshes stays long.
 */
const LIBRARY_STALE_MS = 3_600_000;
/** A takeover takes a few file operations; a takeover mutex older than this was left by a crash. */
const TAKEOVER_STALE_MS = 5_000;
const ATTEMPTS = 20;

/** Lock directories held by this process: the same PID in a lock file is not proof of life. */
const heldHere = new Set<string>();

interface Owner {
  pid: number;
  hostname: string;
  /** /proc/<pid>/stat's start time (Linux): tells a reused PID from the holder itself. */
  startTime?: string;
}

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

/** Start time and state of a process from /proc (Linux); undefined elsewhere or when it is gone. */
function procStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after "(comm)": state is field 3, starttime field 22.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", startTime: fields[19] ?? "" };
  } catch {
    return undefined;
  }
}

function isAlive(owner: Owner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it exists and belongs to another user.
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
  const now = procStat(owner.pid);
  if (now === undefined) return true;
  if (now.state === "Z" || now.state === "X") return false;
  return owner.startTime === undefined || owner.startTime === now.startTime;
}

function readOwner(lockPath: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(lockPath, "owner.json"), "utf8")) as Owner;
    return Number.isInteger(owner.pid) && typeof owner.hostname === "string" ? owner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Is the lock's holder gone? Yes when the lock directory was not refreshed for STALE_MS (any host),
 * or when it names a process of this host that is no longer alive. A lock without an owner file
 * yet (its holder is between mkdir and writing it) counts as held.
 */
function isAbandoned(lockPath: string): boolean {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(lockPath).mtimeMs;
  } catch {
    return true;
  }
  if (Date.now() - mtimeMs > STALE_MS) return true;
  const owner = readOwner(lockPath);
  if (owner === undefined || owner.hostname !== hostname()) return false;
  if (owner.pid === process.pid) return !heldHere.has(lockPath);
  return !isAlive(owner);
}

/**
 * Removes an abandoned lock. Only one process at a time decides (a takeover mutex directory), so
 * a lock that another process has just taken over is never removed. "busy": someone else decides.
 */
function takeOver(lockPath: string): "removed" | "held" | "busy" {
  const mutex = `${lockPath}.takeover`;
  try {
    mkdirSync(mutex);
  } catch {
    try {
      if (Date.now() - statSync(mutex).mtimeMs > TAKEOVER_STALE_MS) rmSync(mutex, { recursive: true, force: true });
    } catch {}
    return "busy";
  }
  try {
    if (!isAbandoned(lockPath)) return "held";
    rmSync(lockPath, { recursive: true, force: true });
    return "removed";
  } finally {
    rmdirSync(mutex);
  }
}

/**
 * Names this process in the lock. Writing into the directory changes its mtime, which
 * proper-lockfile reads as "compromised": the mtime it set is put back.
 */
function writeOwner(lockPath: string): void {
  const { atime, mtime } = statSync(lockPath);
  const owner: Owner = { pid: process.pid, hostname: hostname(), startTime: procStat(process.pid)?.startTime };
  writeFileSync(join(lockPath, "owner.json"), JSON.stringify(owner), { mode: 0o600 });
  utimesSync(lockPath, atime, mtime);
}

/**
 * Locks `dir` for this process (DATA_DIR/portico.lock, a directory refreshed every 5 s that names
 * its holder). A lock left by a process that died (SIGKILL, OOM) is taken over at once; a live
 * holder's is refused with DataDirLockedError. Resolves with the release function.
 */
export async function lockDataDir(
  dir: string,
  shownAs: string,
  onCompromised: (error: Error) => void,
): Promise<() => Promise<void>> {
  const lockPath = join(dir, "portico.lock");
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      const release = await lockfile.lock(dir, {
        lockfilePath: lockPath,
        stale: LIBRARY_STALE_MS,
        update: 5_000,
        realpath: false,
        onCompromised,
      });
      try {
        writeOwner(lockPath);
      } catch (error) {
        await release();
        throw error;
      }
      heldHere.add(lockPath);
      return async () => {
        heldHere.delete(lockPath);
        rmSync(join(lockPath, "owner.json"), { force: true });
        await release();
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
      const outcome = takeOver(lockPath);
      if (outcome === "held") throw new DataDirLockedError(shownAs, { cause: error });
      if (outcome === "busy") await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new DataDirLockedError(shownAs);
}
