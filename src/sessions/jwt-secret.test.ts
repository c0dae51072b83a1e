import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers.js";
import { resolveJwtSecret } from "./jwt-secret.js";

describe("the JWT secret kept in DATA_DIR", () => {
  it("is generated once (64 characters), kept 0600, and read back on the next start", () => {
    const dataDir = tempDir();
    const secret = resolveJwtSecret({ jwtSecret: undefined, dataDir });
    expect(secret).toHaveLength(64);
    expect(resolveJwtSecret({ jwtSecret: undefined, dataDir })).toBe(secret);
    expect(readFileSync(join(dataDir, "jwt-secret"), "utf8")).toBe(`${secret}\n`);
  });

  it.each([
    ["empty", ""],
    ["only a newline", "\n"],
    ["31 bytes", `${"k".repeat(31)}\n`],
  ])("refuses a jwt-secret file that is %s, saying what to do", (_label, content) => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, "jwt-secret"), content);
    expect(() => resolveJwtSecret({ jwtSecret: undefined, dataDir })).toThrow(
      /jwt-secret holds a JWT secret of \d+ bytes; at least 32 are needed\. Delete the file/,
    );
  });

  it("accepts a kept secret of 32 bytes, and JWT_SECRET wins over the file", () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, "jwt-secret"), "k".repeat(32));
    expect(resolveJwtSecret({ jwtSecret: undefined, dataDir })).toBe("k".repeat(32));
    expect(resolveJwtSecret({ jwtSecret: "s".repeat(40), dataDir })).toBe("s".repeat(40));
  });
});
