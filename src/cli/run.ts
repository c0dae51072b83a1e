import { pathToFileURL } from "node:url";
import { type Config, ConfigError, loadConfig } from "../config.js";
import { type Database, isDatabaseUnavailable, openDatabase } from "../db/index.js";

/** Exit codes of the operator commands. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const consoleIo: CliIo = { out: (line) => console.log(line), err: (line) => console.error(line) };

/** An error as one line an operator can act on; causes appended (never a stack, never a URL). */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e && depth < 4; depth++) {
    const message = e instanceof Error ? e.message : String(e);
    if (message && !parts.includes(message)) parts.push(message);
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join(": ") || "unknown error";
}

/**
 * Config, then the database, then `work`; the database is closed whatever happens. A bad setting
 * is a usage error (2); a database that cannot be opened or a failing `work` is a failure (1).
 */
export async function withDatabase(
  name: string,
  env: NodeJS.ProcessEnv,
  io: CliIo,
  work: (database: Database, config: Config) => Promise<number>,
): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(error.message);
    return EXIT.usage;
  }
  let database: Database;
  try {
    database = await openDatabase(config);
  } catch (error) {
    io.err(`${name}: cannot open the database: ${describeError(error)}`);
    return EXIT.failed;
  }
  try {
    return await work(database, config);
  } catch (error) {
    const reach = isDatabaseUnavailable(error) ? "cannot reach the database: " : "";
    io.err(`${name}: ${reach}${describeError(error)}`);
    return EXIT.failed;
  } finally {
    await database.close();
  }
}

/** Runs `command` when the file is the process's entry point (`tsx src/cli/x.ts`, `node dist/cli/x.js`). */
export function runIfMain(moduleUrl: string, command: (argv: string[]) => Promise<number>): void {
  const entry = process.argv[1];
  if (!entry || pathToFileURL(entry).href !== moduleUrl) return;
  command(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      console.error(describeError(error));
      process.exitCode = EXIT.failed;
    },
  );
}
