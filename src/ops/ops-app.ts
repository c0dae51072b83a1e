import express, { type Router } from "express";
import { handleError, notFound } from "../http/error-handler.js";

/**
 * The operators' app, served on its own listener (METRICS_HOST:METRICS_PORT, loopback by
 * default): /metrics, /healthz, and /readyz with its `checks`. Nothing here is public.
 */
export function createOpsApp(parts: { health: Router; metrics: Router }): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use((_req, res, next) => {
    res.set("Cache-Control", "no-store");
    next();
  });
  app.use(parts.health);
  app.use(parts.metrics);
  app.use(notFound);
  app.use(handleError);
  return app;
}
