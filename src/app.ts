import express, { type RequestHandler } from "express";
import type { AuthRouteLimits } from "./auth/auth.routes.js";
import { createAuthRouter } from "./auth/auth.routes.js";
import type { AuthService } from "./auth/auth.service.js";
import type { Config } from "./config.js";
import type { Database } from "./db/index.js";
import { createHealthRouter, type ReadinessCheck } from "./health/health.routes.js";
import { handleError, notFound } from "./http/error-handler.js";
import { type Logger, requestLogger } from "./logger.js";

export interface AppDeps {
  config: Pick<Config, "trustProxy" | "dbTimeoutMs">;
  database: Database;
  auth: AuthService;
  logger: Logger;
  limits?: AuthRouteLimits;
  readinessChecks?: ReadinessCheck;
  /** Middleware that runs before every route (security headers, metrics). */
  before?: RequestHandler[];
  /** Extra routes mounted before the web client (metrics, API docs). */
  extraRoutes?: RequestHandler[];
  /** The web client (Astro), mounted after the API. */
  web?: RequestHandler;
}

const noStore: RequestHandler = (_req, res, next) => {
  res.set("Cache-Control", "no-store");
  next();
};

/** The Express app, without listen(): tests call it in-process. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", deps.config.trustProxy);

  app.use(requestLogger(deps.logger));
  for (const middleware of deps.before ?? []) app.use(middleware);
  app.use(
    createHealthRouter({
      database: deps.database,
      timeoutMs: deps.config.dbTimeoutMs,
      ...(deps.readinessChecks && { extraChecks: deps.readinessChecks }),
    }),
  );
  for (const routes of deps.extraRoutes ?? []) app.use(routes);
  app.use("/api", noStore);
  app.use("/api/v1/auth", createAuthRouter(deps.auth, deps.limits));
  app.use("/api", notFound);
  if (deps.web) app.use(deps.web);
  app.use(notFound);
  app.use(handleError);
  return app;
}
