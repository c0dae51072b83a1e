// Request durations by method, route pattern and status (a part of src/ops/metrics.ts).
import type { Request, RequestHandler, Response } from "express";
import { Histogram, type Registry } from "prom-client";

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

/** `before` middleware: every answer's duration by method, route pattern and status. */
export function createHttpMetrics(registers: Registry[]): RequestHandler {
  const httpDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time to answer HTTP requests, by method, route pattern and status",
    labelNames: ["method", "route", "status_code"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const pattern = captureRoutePattern(req);
    res.once("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const labels = { method: req.method, route: routeLabel(pattern(), req, res), status_code: res.statusCode };
      httpDuration.observe(labels, seconds);
    });
    next();
  };
}
