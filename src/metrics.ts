import { type Request, type RequestHandler, type Response, Router } from "express";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { AuthService } from "./auth/auth.service.js";
import type { Database } from "./db/index.js";
import { toAppError } from "./http/error-handler.js";
import type { CounterStore, LimitName } from "./http/rate-limit.js";
import type { SessionEvents } from "./sessions/sessions.service.js";
import type { PasswordHasher } from "./users/passwords.js";

interface MetricSources {
  passwords?: PasswordHasher;
  database?: Database;
  rateLimitStore?: () => CounterStore;
  /** Only when REDIS_URL is set. */
  redisUp?: () => boolean;
}

export interface Metrics {
  readonly registry: Registry;
  /** `before` middleware: every answer's duration by method, route pattern and status. */
  readonly httpMetrics: RequestHandler;
  /** GET /metrics, Prometheus text format. */
  readonly routes: Router;
  /** For createPasswordHasher's onJobDone. */
  observeHash(seconds: number, operation: "hash" | "verify"): void;
  countRateLimited(name: LimitName): void;
  countRateLimitFallback(name: LimitName): void;
  /** For createSessionService's `events`: sessions created by method, revoked by reason. */
  readonly sessionEvents: SessionEvents;
  /** The same service, counting registrations and logins by outcome. */
  instrumentAuth(auth: AuthService): AuthService;
  /** Gauges read at scrape time. */
  watch(sources: MetricSources): void;
}

const COUNTER_STORES: CounterStore[] = ["redis", "memory", "memory-fallback"];

/**
 * The route label: the matched pattern (`/api/v1/auth/register`), never the raw URL, so the
 * number of series stays bounded whatever clients send. Express resets `req.baseUrl` when an error
 * leaves a router, so the pattern is captured at the moment the router sets `req.route`.
 */
function captureRoutePattern(req: Request): () => string | undefined {
  let route: unknown;
  let pattern: string | undefined;
  Object.defineProperty(req, "route", {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: unknown) {
      route = value;
      const path = (value as { path?: unknown } | undefined)?.path;
      if (typeof path === "string") pattern = `${req.baseUrl}${path}`;
    },
  });
  return () => pattern;
}

function routeLabel(pattern: string | undefined, req: Request, res: Response): string {
  if (typeof res.locals.metricsRoute === "string") return res.locals.metricsRoute;
  if (pattern) return pattern;
  if (res.statusCode === 404) return "(unmatched)";
  if (res.statusCode >= 400) return "(none)";
  // A page the web client served (no Express route): its path, with files under a folder folded
  // into one series (`/_astro/*`). Only paths that exist answer below 400, so this stays bounded.
  const path = (req.originalUrl.split("?")[0] ?? "/").slice(0, 64);
  const segments = path.split("/");
  return segments.length > 2 ? `/${segments[1]}/*` : path;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const httpDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time to answer HTTP requests, by method, route pattern and status",
    labelNames: ["method", "route", "status_code"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const registrations = new Counter({
    name: "portico_registrations_total",
    help: "Registrations by outcome: success, rate_limited, or the error code in lower case",
    labelNames: ["outcome"],
    registers,
  });
  const logins = new Counter({
    name: "portico_logins_total",
    help: "Logins by outcome: success, rate_limited, or the error code in lower case",
    labelNames: ["outcome"],
    registers,
  });
  for (const outcome of ["success", "rate_limited", "overloaded", "service_unavailable", "internal_error"]) {
    registrations.inc({ outcome }, 0);
    logins.inc({ outcome }, 0);
  }
  registrations.inc({ outcome: "email_taken" }, 0);
  logins.inc({ outcome: "invalid_credentials" }, 0);

  const bcryptDuration = new Histogram({
    name: "portico_bcrypt_duration_seconds",
    help: "Time of bcrypt jobs (hash or verify), queueing excluded",
    labelNames: ["operation"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const rateLimited = new Counter({
    name: "portico_rate_limited_total",
    help: "Requests refused with 429, by limit",
    labelNames: ["limit"],
    registers,
  });
  const fallbacks = new Counter({
    name: "portico_rate_limit_fallback_total",
    help: "Requests counted in this instance's memory because Redis did not answer, by limit",
    labelNames: ["limit"],
    registers,
  });

  const sessionsCreated = new Counter({
    name: "portico_sessions_created_total",
    help: "Sessions created, by how the user signed in",
    labelNames: ["method"],
    registers,
  });
  const sessionsRevoked = new Counter({
    name: "portico_sessions_revoked_total",
    help: "Sessions revoked, by reason",
    labelNames: ["reason"],
    registers,
  });
  sessionsCreated.inc({ method: "password" }, 0);
  sessionsRevoked.inc({ reason: "logout" }, 0);

  let sources: MetricSources = {};
  new Gauge({
    name: "portico_bcrypt_queue_depth",
    help: "bcrypt jobs waiting for a slot",
    registers,
    collect() {
      this.set(sources.passwords?.stats().queued ?? 0);
    },
  });
  new Gauge({
    name: "portico_bcrypt_active_jobs",
    help: "bcrypt jobs running",
    registers,
    collect() {
      this.set(sources.passwords?.stats().active ?? 0);
    },
  });
  new Gauge({
    name: "portico_db_pool_connections",
    help: "Database connections, by state (in_use, idle)",
    labelNames: ["state"],
    registers,
    collect() {
      const stats = sources.database?.poolStats() ?? { total: 0, idle: 0, waiting: 0 };
      this.set({ state: "in_use" }, stats.total - stats.idle);
      this.set({ state: "idle" }, stats.idle);
    },
  });
  new Gauge({
    name: "portico_db_pool_waiting",
    help: "Queries waiting for a database connection",
    registers,
    collect() {
      this.set(sources.database?.poolStats().waiting ?? 0);
    },
  });
  new Gauge({
    name: "portico_rate_limit_store",
    help: "Where rate-limit counters live now (1): redis, memory (no REDIS_URL), memory-fallback (Redis down)",
    labelNames: ["store"],
    registers,
    collect() {
      const current = sources.rateLimitStore?.();
      for (const store of COUNTER_STORES) this.set({ store }, store === current ? 1 : 0);
    },
  });

  const routes = Router();
  routes.get("/metrics", async (_req, res) => {
    const text = await registry.metrics();
    res.set("Cache-Control", "no-store").type(registry.contentType).send(text);
  });

  return {
    registry,
    routes,
    httpMetrics(req, res, next) {
      const started = process.hrtime.bigint();
      const pattern = captureRoutePattern(req);
      res.once("finish", () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const labels = { method: req.method, route: routeLabel(pattern(), req, res), status_code: res.statusCode };
        httpDuration.observe(labels, seconds);
      });
      next();
    },
    observeHash: (seconds, operation) => bcryptDuration.observe({ operation }, seconds),
    countRateLimited(name) {
      rateLimited.inc({ limit: name });
      // Refused before reaching the service, so instrumentAuth cannot count these itself.
      if (name === "register") registrations.inc({ outcome: "rate_limited" });
      else if (name.startsWith("login_")) logins.inc({ outcome: "rate_limited" });
    },
    countRateLimitFallback: (name) => fallbacks.inc({ limit: name }),
    sessionEvents: {
      created: (method) => sessionsCreated.inc({ method }),
      revoked: (reason, count) => {
        if (count > 0) sessionsRevoked.inc({ reason }, count);
      },
    },
    instrumentAuth(auth) {
      async function counted<T>(counter: Counter<"outcome">, work: () => Promise<T>): Promise<T> {
        try {
          const result = await work();
          counter.inc({ outcome: "success" });
          return result;
        } catch (error) {
          counter.inc({ outcome: toAppError(error).code.toLowerCase() });
          throw error;
        }
      }
      return {
        ...auth,
        registerUser: (input, client) => counted(registrations, () => auth.registerUser(input, client)),
        loginUser: (input, client) => counted(logins, () => auth.loginUser(input, client)),
      };
    },
    watch(next) {
      sources = { ...sources, ...next };
      if (next.redisUp) {
        const redisUp = next.redisUp;
        new Gauge({
          name: "portico_redis_up",
          help: "1 while Redis (the shared rate-limit store) answers",
          registers,
          collect() {
            this.set(redisUp() ? 1 : 0);
          },
        });
      }
    },
  };
}
