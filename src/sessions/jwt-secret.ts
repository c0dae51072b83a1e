import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.js";
import { prepareDataDir } from "../db/data-dir.js";

/** The same floor as JWT_SECRET's (config.ts): HS256 wants a key at least as long as its hash. */
const MIN_SECRET_BYTES = 32;

/** A kept secret that is empty or short (cut off, or written by hand) would be a weak HMAC key. */
function checked(file: string, secret: string): string {
  const bytes = Buffer.byteLength(secret, "utf8");
  if (bytes >= MIN_SECRET_BYTES) return secret;
  throw new Error(
    `${file} holds a JWT secret of ${bytes} bytes; at least ${MIN_SECRET_BYTES} are needed. Delete the file to ` +
      "have a new one generated (everyone signed in has to sign in again), or set JWT_SECRET.",
  );
}

/**
 * JWT_SECRET when set. Otherwise (development and test only: config refuses this in production)
 * a secret generated once and kept in DATA_DIR/jwt-secret, so tokens survive a restart.
 */
export function resolveJwtSecret(config: Pick<Config, "jwtSecret" | "dataDir">): string {
  if (config.jwtSecret) return config.jwtSecret;
  // DATA_DIR is private (0700), and refused if others can write it: they could swap the secret.
  const file = join(prepareDataDir(config.dataDir), "jwt-secret");
  try {
    return checked(file, readFileSync(file, "utf8").trim());
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
    return checked(file, readFileSync(file, "utf8").trim());
  }
}
