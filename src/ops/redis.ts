import { createRequire } from "node:module";
import type { Redis } from "ioredis";
import type { Logger } from "./logger.js";

/** A command that takes longer is a failure: the limiter falls back rather than hold a login. */
const REDIS_COMMAND_TIMEOUT_MS = 1000;
/** While Redis is marked down but the socket looks open (a partition), how often to try it. */
const PROBE_INTERVAL_MS = 2000;

export interface RedisConnection {
  readonly client: Redis;
  /** True while Redis answers: connected, ready, and no command has failed since. */
  isUp(): boolean;
  /** A command failed or timed out: treat Redis as down until a probe answers. */
  reportFailure(error: unknown): void;
  /** Called each time Redis comes (back) up. */
  onUp(listener: () => void): void;
  close(): Promise<void>;
}

/** The client, tuned to fail fast (see connectRedis); not connected yet. */
function createClient(url: string): Redis {
  // Loaded here, not at start-up: ~8 MB resident that an instance without REDIS_URL never needs.
  const { Redis: RedisClient } = createRequire(import.meta.url)("ioredis") as typeof import("ioredis");
  return new RedisClient(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 250, 5000),
    connectionName: "portico",
  });
}

interface Health {
  isUp(): boolean;
  markUp(): void;
  markDown(error: unknown): void;
  onUp(listener: () => void): void;
  /** Closing: no more down reports, no more probes. */
  close(): void;
}

/** Whether Redis answers, with each change logged once; a probe while the socket looks open. */
function trackHealth(client: Redis, logger: Logger): Health {
  let up = false;
  let announced: "up" | "down" | undefined;
  let closing = false;
  let probe: NodeJS.Timeout | undefined;
  const listeners: (() => void)[] = [];

  function markUp() {
    if (probe) clearInterval(probe);
    probe = undefined;
    if (up) return;
    up = true;
    logger.info(
      announced === undefined ? "redis connected" : "redis reachable again: rate-limit counters shared again",
    );
    announced = "up";
    for (const listener of listeners) listener();
  }

  function markDown(error: unknown) {
    if (closing) return;
    up = false;
    if (announced !== "down") {
      logger.warn(
        { err: error },
        "redis unreachable: rate limits fall back to this instance's memory until it answers",
      );
      announced = "down";
    }
    // A socket that looks open but does not answer sends no events: ask it now and then.
    if (client.status === "ready" && !probe) probe = startProbe(client, markUp);
  }

  return {
    isUp: () => up,
    markUp,
    markDown,
    onUp: (listener) => {
      listeners.push(listener);
    },
    close() {
      closing = true;
      if (probe) clearInterval(probe);
    },
  };
}

/** Pings every PROBE_INTERVAL_MS; `answered` on each answer. */
function startProbe(client: Redis, answered: () => void): NodeJS.Timeout {
  const probe = setInterval(() => {
    client.ping().then(answered, () => {});
  }, PROBE_INTERVAL_MS);
  probe.unref();
  return probe;
}

/**
 * One ioredis client for the rate-limit counters, tuned to fail fast: no offline queue (a command
 * while disconnected fails at once instead of waiting), a per-command timeout, and no replay of
 * commands after a reconnect. Up/down changes are logged once each, never per request; the URL
 * (it may hold a password) is never logged.
 */
export function connectRedis(url: string, logger: Logger): RedisConnection {
  const client = createClient(url);
  const health = trackHealth(client, logger);
  client.on("ready", health.markUp);
  client.on("error", (error) => health.markDown(error));
  client.on("close", () => health.markDown(new Error("connection closed")));
  client.connect().catch((error) => health.markDown(error));

  return {
    client,
    isUp: health.isUp,
    reportFailure: health.markDown,
    onUp: health.onUp,
    async close() {
      health.close();
      if (client.status === "ready") await client.quit().catch(() => {});
      client.disconnect();
    },
  };
}
