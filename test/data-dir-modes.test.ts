import { chmodSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { DataDirPermissionError, openPglite } from "../src/db/pglite.js";
import { resolveJwtSecret } from "../src/sessions/jwt-secret.js";
import { tempDir } from "./helpers.js";

const modeOf = (path: string) => (statSync(path).mode & 0o7777).toString(8);

/** Every mode under `dir` (itself included), counted: { "700": 30, "600": 1000 }. */
function modesUnder(dir: string): Record<string, number> {
  const counts: Record<string, number> = {};
  const walk = (path: string) => {
    const mode = modeOf(path);
    counts[mode] = (counts[mode] ?? 0) + 1;
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return counts;
}

describe("DATA_DIR file modes", () => {
  it("creates DATA_DIR 0700 and keeps PGlite's files (WAL included) and the JWT secret 0600", async () => {
    const dataDir = join(tempDir(), "data");
    const db = await openPglite({ dataDir });
    await sql`CREATE TABLE t (x int)`.execute(db.kysely);
    await sql`INSERT INTO t SELECT generate_series(1, 1000)`.execute(db.kysely);
    await sql`CHECKPOINT`.execute(db.kysely);
    await db.close();
    resolveJwtSecret({ jwtSecret: undefined, dataDir });
    expect(modeOf(dataDir)).toBe("700");
    expect(modeOf(join(dataDir, "jwt-secret"))).toBe("600");
    const modes = modesUnder(dataDir);
    expect(Object.keys(modes).sort()).toEqual(["600", "700"]);
    expect(modes["600"]).toBeGreaterThan(100);
    expect(modesUnder(join(dataDir, "pglite", "pg_wal"))["600"]).toBeGreaterThan(0);
  });

  it.each([
    ["everyone", 0o777],
    ["the group", 0o770],
    ["others", 0o703],
  ])("refuses a DATA_DIR that %s can write, and says how to fix it", async (_who, mode) => {
    const dataDir = tempDir();
    chmodSync(dataDir, mode);
    const expected = `DATA_DIR ${dataDir} can be written by other users (mode 0${mode.toString(8)})`;
    await expect(openPglite({ dataDir })).rejects.toThrow(DataDirPermissionError);
    await expect(openPglite({ dataDir })).rejects.toThrow(expected);
    await expect(openPglite({ dataDir })).rejects.toThrow(`chmod 700 ${dataDir}`);
    expect(() => resolveJwtSecret({ jwtSecret: undefined, dataDir })).toThrow(expected);
  });

  it("makes a DATA_DIR that others can only read (an older version's 0755, files 0666) private", () => {
    const dataDir = tempDir();
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, "old-file"), "x");
    chmodSync(join(dataDir, "old-file"), 0o666);
    resolveJwtSecret({ jwtSecret: undefined, dataDir });
    expect(modesUnder(dataDir)).toEqual({ "700": 1, "600": 2 });
  });
});
