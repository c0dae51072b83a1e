import type { Server } from "node:http";
import type express from "express";
import type { Router } from "express";
import { createApp } from "./app.js";
import { createAuthMetrics } from "./auth/auth.metrics.js";
import type { Config } from "./config.js";
import { type Database, migrateToLatest, openDatabase } from "./db/index.js";
import { buildFeatures } from "./features.js";
import { createApiDocsRouter } from "./http/api-docs.js";
import { createRateLimits } from "./http/rate-limit.js";
import { corsForApi, securityHeaders } from "./http/security.js";
import { createHttpServer, listen } from "./http/server.js";
import { createWebClientAddress } from "./http/web-client-address.js";
import {
  createMailMetrics,
  createMailTransport,
  createMailWorker,
  devMailboxFor,
  type MailWorker,
} from "./mail/index.js";
import { buildOpenApiDocument } from "./openapi.js";
import { createHealthRouter } from "./ops/health.routes.js";
import { type Logger, requestLogger } from "./ops/logger.js";
import { createMetrics, type Metrics } from "./ops/metrics.js";
import { createOpsApp } from "./ops/ops-app.js";
import { connectRedis } from "./ops/redis.js";
import { createRetentionJob } from "./ops/retention-job.js";
import { createSessionMetrics } from "./sessions/sessions.metrics.js";
import type { PasswordHasher } from "./users/passwords.js";
import { lowerPoolThreadPriority } from "./users/thread-priority.js";
import { loadWebHandler, webOptions } from "./web/mount.js";

export interface Portico {
  app: express.Express;
  /** /metrics and /readyz with details: served on METRICS_HOST:METRICS_PORT, never on the public port. */
  opsApp: express.Express;
  database: Database;
  passwords: PasswordHasher;
  /** The outbox worker of this instance (started by createPortico, with the retention job). */
  mail: MailWorker;
  /** Stops background work and closes the database (releasing PGlite's data-directory lock). */
  close(): Promise<void>;
}

/**
 * The composition root: builds every part of the service from the config, on an open database.
 * No migrations here (see createPortico), so tests can assemble the app on any database.
 */
export async function assemblePortico(
  config: Config,
  logger: Logger,
  database: Database,
): Promise<Omit<Portico, "close"> & { start(): void; stop(): Promise<void> }> {
  const metrics = createMetrics();
  const shared = buildSharedServices(config, logger, database, metrics);
  const { mail, retention, redis, rateLimits, authMetrics, sessionEvents } = shared;
  const { passwords, routers } = buildFeatures({
    config,
    logger,
    database,
    metrics,
    rateLimits,
    authMetrics,
    sessionEvents,
    mailQueued: () => mail.kick(),
  });
  metrics.watch({
    passwords,
    database,
    ...(rateLimits && { rateLimitStore: rateLimits.store }),
    ...(redis && { redisUp: redis.isUp }),
  });
  const { app, opsApp } = await buildApps(config, logger, database, metrics, shared, routers);
  const start = () => {
    mail.start();
    retention.start();
  };
  const stop = async () => {
    await retention.stop();
    await mail.stop();
    await shared.transport.close();
    await rateLimits?.close();
    await redis?.close();
  };
  return { app, opsApp, database, passwords, mail, start, stop };
}

type SharedServices = ReturnType<typeof buildSharedServices>;

/**
 * The outbox worker and its transport, the retention job, Redis and the rate limiter factory:
 * shared by every feature; and each feature's metrics on the one registry.
 */
function buildSharedServices(config: Config, logger: Logger, database: Database, metrics: Metrics) {
  const transport = createMailTransport({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    mode: config.smtpUrl ? "smtp" : "mailbox",
  });
  const mail = createMailWorker({
    database,
    transport,
    logger,
    metrics: createMailMetrics(metrics.registry, database),
  });
  const retention = createRetentionJob({ database, logger });
  const authMetrics = createAuthMetrics(metrics.registry);
  const sessionEvents = createSessionMetrics(metrics.registry);
  const redis = config.rateLimit && config.redisUrl ? connectRedis(config.redisUrl, logger) : undefined;
  const rateLimits = config.rateLimit
    ? createRateLimits({
        redis,
        keyPrefix: config.redisPrefix,
        logger,
        onLimited: (name) => {
          metrics.countRateLimited(name);
          authMetrics.countLimited(name);
        },
        onFallback: metrics.countRateLimitFallback,
      })
    : undefined;
  return { transport, mail, retention, redis, rateLimits, authMetrics, sessionEvents };
}

/** The public app (middleware and routers in order: src/app.ts) and the operators' app. */
async function buildApps(
  config: Config,
  logger: Logger,
  database: Database,
  metrics: Metrics,
  { redis, rateLimits }: SharedServices,
  routers: Router[],
): Promise<{ app: express.Express; opsApp: express.Express }> {
  const healthOptions = {
    database,
    timeoutMs: config.dbTimeoutMs,
    // Details only: a Redis outage degrades the limits (see src/http/rate-limit-store.ts) but does
    // not make the instance unready, or a load balancer would take every instance out at once.
    extraChecks: async () => ({
      rateLimit: rateLimits?.store() ?? "off",
      ...(redis && { redis: redis.isUp() ? "up" : "down" }),
    }),
  };
  const opsApp = createOpsApp({
    health: createHealthRouter({ ...healthOptions, details: true }),
    metrics: metrics.routes,
  });
  const webClient = createWebClientAddress();
  const app = createApp({
    trustProxy: config.trustProxy,
    webClientAddress: webClient.middleware,
    requestLogger: requestLogger(logger),
    httpMetrics: metrics.httpMetrics,
    securityHeaders: securityHeaders({ production: config.env === "production" }),
    cors: corsForApi(config.corsOrigins),
    health: createHealthRouter(healthOptions),
    apiDocs: createApiDocsRouter(() => buildOpenApiDocument()),
    authApi: routers,
    devMailbox: devMailboxFor(config, database, logger),
    web: await loadWebHandler({ ...webOptions(config), signClient: webClient.sign }, logger),
  });
  return { app, opsApp };
}

/**
 * Everything but the listening socket: database, migrations, services and the Express app.
 * Pass `database` to reuse one (tests); otherwise it is opened from the config.
 */
export async function createPortico(config: Config, logger: Logger, database?: Database): Promise<Portico> {
  const db =
    database ??
    (await openDatabase(config, {
      onPoolError: (error) => logger.warn({ err: error }, "database connection lost"),
      onLockCompromised: (error) => {
        logger.fatal({ err: error }, "lost the DATA_DIR lock: stopping to protect the data");
        process.exit(1);
      },
    }));
  try {
    const applied = await migrateToLatest(db.kysely);
    if (applied.length > 0) logger.info({ migrations: applied }, "migrations applied");
    const { start, stop, ...portico } = await assemblePortico(config, logger, db);
    start();
    const close = async () => {
      await stop();
      await db.close();
    };
    return { ...portico, close };
  } catch (error) {
    if (!database) await db.close();
    throw error;
  }
}

export interface RunningPortico extends Portico {
  server: Server;
  url: string;
  /** The metrics listener (opsApp); undefined with METRICS_PORT=off. */
  metricsServer: Server | undefined;
  metricsUrl: string | undefined;
  /** Stops accepting, lets requests in flight finish (bounded), then closes the database. */
  shutdown(): Promise<void>;
}

/** Starts the service: the public app on config.host:config.port, opsApp on config.metrics. */
export async function startPortico(config: Config, logger: Logger): Promise<RunningPortico> {
  const portico = await createPortico(config, logger);
  const lowered = await lowerPoolThreadPriority(config.hashThreadNice);
  if (lowered.threads.length > 0) {
    logger.debug(
      { threads: lowered.threads.length, found: lowered.found, nice: config.hashThreadNice },
      "pool threads lowered",
    );
  }
  const server = createHttpServer(portico.app, config.http);
  const metricsServer = config.metrics && createHttpServer(portico.opsApp, config.http);
  let url: string;
  let metricsUrl: string | undefined;
  try {
    url = await listen(server, config.port, config.host);
    if (metricsServer && config.metrics) {
      metricsUrl = await listen(metricsServer, config.metrics.port, config.metrics.host);
      logger.info({ url: metricsUrl }, "metrics listening");
    }
  } catch (error) {
    server.close();
    await portico.close();
    throw error;
  }
  let stopping: Promise<void> | undefined;

  async function shutdown() {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        logger.warn("shutdown timeout: closing connections still open");
        server.closeAllConnections();
      }, config.shutdownTimeoutMs);
      await closed;
      clearTimeout(timer);
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      await portico.close();
    })();
    return stopping;
  }

  return { ...portico, server, url, metricsServer: metricsServer || undefined, metricsUrl, shutdown };
}
