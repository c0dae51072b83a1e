import { createLogger, type Logger } from "../src/ops/logger.js";

/** A real pino logger whose JSON lines are kept in memory, for tests that read the logs. */
export function captureLogs(level = "trace"): {
  logger: Logger;
  lines: string[];
  records(): Record<string, unknown>[];
} {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    destination: {
      write(chunk: string) {
        for (const line of chunk.split("\n")) if (line) lines.push(line);
      },
    },
  });
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
