import type { AppDeps } from "./app.js";
import type { PasswordHasher } from "./auth/passwords.js";
import type { Config } from "./config.js";
import type { Database } from "./db/index.js";
import { createApiDocsRouter } from "./http/api-docs.js";
import { createRateLimits, type RateLimits } from "./http/rate-limit.js";
import { corsForApi, securityHeaders } from "./http/security.js";
import type { Logger } from "./logger.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { connectRedis, type RedisConnection } from "./redis.js";

export interface Operations {
  metrics: Metrics;
  /** For createApp: security headers, CORS, metrics, API docs, rate limits, readiness details. */
  appHooks: Pick<AppDeps, "before" | "extraRoutes" | "limits" | "readinessChecks">;
  /** Gauges read the hashing queue and the database pool at scrape time. */
  watch(sources: { passwords: PasswordHasher; database: Database }): void;
  close(): Promise<void>;
}

/**
 * What an operator expects around the API: rate limits (Redis when REDIS_URL is set), helmet and
 * CORS, /metrics, the OpenAPI document and its reference page, and readiness details.
 */
export function createOperations(
  config: Pick<Config, "env" | "redisUrl" | "redisPrefix" | "rateLimit" | "corsOrigins">,
  logger: Logger,
): Operations {
  const metrics = createMetrics();
  const redis: RedisConnection | undefined =
    config.rateLimit && config.redisUrl ? connectRedis(config.redisUrl, logger) : undefined;
  const rateLimits: RateLimits | undefined = config.rateLimit
    ? createRateLimits({
        redis,
        keyPrefix: config.redisPrefix,
        logger,
        onLimited: metrics.countRateLimited,
        onFallback: metrics.countRateLimitFallback,
      })
    : undefined;
  const cors = corsForApi(config.corsOrigins);

  return {
    metrics,
    appHooks: {
      before: [
        metrics.httpMetrics,
        securityHeaders({ production: config.env === "production" }),
        ...(cors ? [cors] : []),
      ],
      extraRoutes: [metrics.routes, createApiDocsRouter()],
      ...(rateLimits && { limits: rateLimits.limits }),
      // Details only: a Redis outage degrades the limits (see src/http/rate-limit.ts) but does not
      // make the instance unready, or a load balancer would take every instance out at once.
      readinessChecks: async () => ({
        rateLimit: rateLimits?.store() ?? "off",
        ...(redis && { redis: redis.isUp() ? "up" : "down" }),
      }),
    },
    watch({ passwords, database }) {
      metrics.watch({
        passwords,
        database,
        ...(rateLimits && { rateLimitStore: rateLimits.store }),
        ...(redis && { redisUp: redis.isUp }),
      });
    },
    async close() {
      await rateLimits?.close();
      await redis?.close();
    },
  };
}
