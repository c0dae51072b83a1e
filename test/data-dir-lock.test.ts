import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openPglite } from "../src/db/pglite.js";
import { tempDir } from "./helpers.js";

/** Runs the service as its own process and resolves with its exit code and stderr. */
function runService(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "silent", PORT: "0", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** A lock directory as a process that was then SIGKILLed (or is still running) leaves it. */
function leaveLock(dir: string, owner: { pid: number; hostname: string }): void {
  mkdirSync(join(dir, "portico.lock"));
  writeFileSync(join(dir, "portico.lock", "owner.json"), JSON.stringify(owner));
}

/** The PID of a process that has exited (and been reaped). */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ["-e", ""]);
  return pid as number;
}

describe("PGlite data directory lock", () => {
  it("takes over at once a fresh lock whose holder is no longer alive on this host", async () => {
    const dir = tempDir();
    leaveLock(dir, { pid: deadPid(), hostname: hostname() });
    const db = await openPglite({ dataDir: dir });
    await db.close();
  });

  it("takes over a lock naming this very PID that this process does not hold (a restarted container)", async () => {
    const dir = tempDir();
    leaveLock(dir, { pid: process.pid, hostname: hostname() });
    const db = await openPglite({ dataDir: dir });
    await db.close();
  });

  it("refuses a fresh lock held by a live process, or by a process on another host", async () => {
    const live = tempDir();
    leaveLock(live, { pid: process.ppid, hostname: hostname() });
    await expect(openPglite({ dataDir: live })).rejects.toThrow(/is in use by another Portico process/);
    const remote = tempDir();
    leaveLock(remote, { pid: deadPid(), hostname: `not-${hostname()}` });
    await expect(openPglite({ dataDir: remote })).rejects.toThrow(/is in use by another Portico process/);
  });

  it("refuses a second process on the same DATA_DIR with a clear message, and frees the directory on close", async () => {
    const dir = tempDir();
    const first = await openPglite({ dataDir: dir });
    try {
      const second = await runService({ DATA_DIR: dir });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`DATA_DIR ${dir} is in use by another Portico process`);
    } finally {
      await first.close();
    }
    const again = await openPglite({ dataDir: dir });
    await again.close();
  });

  it("refuses a second open in the same process too", async () => {
    const dir = tempDir();
    const first = await openPglite({ dataDir: dir });
    try {
      await expect(openPglite({ dataDir: dir })).rejects.toThrow(/is in use by another Portico process/);
    } finally {
      await first.close();
    }
  });
});
