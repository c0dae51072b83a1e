import { spawn } from "node:child_process";
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
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe("PGlite data directory lock", () => {
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
