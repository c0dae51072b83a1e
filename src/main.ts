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
  const logger = createLogger({ level: config.logLevel, destination: pino.destination({ dest: 1, sync: false }) });
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
          process.exit(0);
        },
        (error) => {
          logger.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? `portico: ${error.message}` : error);
  if (error instanceof Error && error.cause && !(error instanceof DataDirLockedError))
    console.error("cause:", error.cause);
  process.exit(1);
});
