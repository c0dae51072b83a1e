import { type RequestHandler, Router } from "express";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Database } from "../db/index.js";
import type { CounterStore, LimitName } from "../http/rate-limit.js";
import { createHttpMetrics } from "../http/request-metrics.js";
import type { PasswordHasher } from "../users/passwords.js";

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
  /** Gauges read at scrape time. */
  watch(sources: MetricSources): void;
}

const COUNTER_STORES: CounterStore[] = ["redis", "memory", "memory-fallback"];

type HashAndLimitMetrics = Pick<Metrics, "observeHash" | "countRateLimited" | "countRateLimitFallback">;

/** bcrypt time, rate-limit refusals and fallbacks by limit. */
function createHashAndLimitMetrics(registers: Registry[]): HashAndLimitMetrics {
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
  return {
    observeHash: (seconds, operation) => bcryptDuration.observe({ operation }, seconds),
    countRateLimited: (name) => rateLimited.inc({ limit: name }),
    countRateLimitFallback: (name) => fallbacks.inc({ limit: name }),
  };
}

type Sources = () => MetricSources;

/** A gauge without labels whose value is read at scrape time. */
function readingGauge(registers: Registry[], name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers,
    collect() {
      this.set(read());
    },
  });
}

function hashGauges(registers: Registry[], sources: Sources): void {
  const stats = () => sources().passwords?.stats();
  readingGauge(registers, "portico_bcrypt_queue_depth", "bcrypt jobs waiting for a slot", () => stats()?.queued ?? 0);
  readingGauge(registers, "portico_bcrypt_active_jobs", "bcrypt jobs running", () => stats()?.active ?? 0);
}

function poolGauges(registers: Registry[], sources: Sources): void {
  new Gauge({
    name: "portico_db_pool_connections",
    help: "Database connections, by state (in_use, idle)",
    labelNames: ["state"],
    registers,
    collect() {
      const stats = sources().database?.poolStats() ?? { total: 0, idle: 0, waiting: 0 };
      this.set({ state: "in_use" }, stats.total - stats.idle);
      this.set({ state: "idle" }, stats.idle);
    },
  });
  readingGauge(
    registers,
    "portico_db_pool_waiting",
    "Queries waiting for a database connection",
    () => sources().database?.poolStats().waiting ?? 0,
  );
}

function rateLimitStoreGauge(registers: Registry[], sources: Sources): void {
  new Gauge({
    name: "portico_rate_limit_store",
    help: "Where rate-limit counters live now (1): redis, memory (no REDIS_URL), memory-fallback (Redis down)",
    labelNames: ["store"],
    registers,
    collect() {
      const current = sources().rateLimitStore?.();
      for (const store of COUNTER_STORES) this.set({ store }, store === current ? 1 : 0);
    },
  });
}

function redisUpGauge(registers: Registry[], redisUp: () => boolean): void {
  readingGauge(registers, "portico_redis_up", "1 while Redis (the shared rate-limit store) answers", () =>
    redisUp() ? 1 : 0,
  );
}

/** The gauges, read at scrape time from the sources `watch` was given (0 until then). */
function createWatch(registers: Registry[]): Metrics["watch"] {
  let sources: MetricSources = {};
  const current = () => sources;
  hashGauges(registers, current);
  poolGauges(registers, current);
  rateLimitStoreGauge(registers, current);
  return (next) => {
    sources = { ...sources, ...next };
    if (next.redisUp) redisUpGauge(registers, next.redisUp);
  };
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const httpMetrics = createHttpMetrics(registers);
  const hashAndLimits = createHashAndLimitMetrics(registers);
  const watch = createWatch(registers);

  const routes = Router();
  routes.get("/metrics", async (_req, res) => {
    const text = await registry.metrics();
    res.set("Cache-Control", "no-store").type(registry.contentType).send(text);
  });

  return { registry, routes, httpMetrics, ...hashAndLimits, watch };
}
