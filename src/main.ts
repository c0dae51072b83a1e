import pino from "pino";
import { ConfigError, loadConfig } from "./config.js";
import { DataDirLockedError } from "./db/pglite.js";
import { createLogger } from "./ops/logger.js";
import { startPortico } from "./portico.js";

/** Start: config → database → migrations → app → listen; stop cleanly on SIGTERM and SIGINT. */
async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  // Written asynchronously: a request's log line is queued, not a write(2) on the event loop,
  // and lines that pile up during a burst go out in one write. pino flushes the rest at exit.
  const destination = pino.destination({ dest: 1, sync: false });
  const logger = createLogger({ level: config.logLevel, destination });
  const started = performance.now();
  const portico = await startPortico(config, logger);
  logger.info(
    {
      url: portico.url,
      metricsUrl: portico.metricsUrl,
      database: portico.database.kind,
      startupMs: Math.round(performance.now() - started),
    },
    "portico listening",
  );

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      logger.info({ signal }, "shutting down");
      portico.shutdown().then(
        () => {
          logger.info("stopped");
          exitOnceWritten(destination, 0);
        },
        (error) => {
          logger.error({ err: error }, "shutdown failed");
          exitOnceWritten(destination, 1);
        },
      );
    });
  }
}

/** How long a stopping process waits for its last log lines before it exits anyway (a stuck stdout). */
const LAST_LINES_WAIT_MS = 10_000;

/**
 * Exits once every log line is written, in order. A write may still be in flight: it waits for a
 * thread of libuv's pool, which bcrypt and the file system share, and pino's own flush at exit
 * would write the lines queued behind it first ("stopped" before "shutting down").
 */
function exitOnceWritten(destination: ReturnType<typeof pino.destination>, code: number): void {
  const exit = () => process.exit(code);
  setTimeout(exit, LAST_LINES_WAIT_MS);
  destination.once("close", exit);
  destination.end();
}

main().catch((error) => {
  console.error(error instanceof Error ? `portico: ${error.message}` : error);
  if (error instanceof Error && error.cause && !(error instanceof DataDirLockedError))
    console.error("cause:", error.cause);
  process.exit(1);
});
