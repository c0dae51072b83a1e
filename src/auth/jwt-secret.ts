import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.js";
import { prepareDataDir } from "../db/data-dir.js";

/**
 * JWT_SECRET when set. Otherwise (development and test only: config refuses this in production)
 * a secret generated once and kept in DATA_DIR/jwt-secret, so tokens survive a restart.
 */
export function resolveJwtSecret(config: Pick<Config, "jwtSecret" | "dataDir">): string {
  if (config.jwtSecret) return config.jwtSecret;
  // DATA_DIR is private (0700), and refused if others can write it: they could swap the secret.
  const file = join(prepareDataDir(config.dataDir), "jwt-secret");
  try {
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const secret = randomBytes(48).toString("base64url");
  try {
    // "wx": if another process wrote it first, use theirs.
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return readFileSync(file, "utf8").trim();
  }
}
