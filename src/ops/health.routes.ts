import { Router } from "express";
import type { Database } from "../db/index.js";
import { AppError } from "../errors.js";
import { sendError } from "../http/error-handler.js";

export type ReadinessCheck = () => Promise<Record<string, string>>;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * /healthz: the process answers. /readyz: the database answers within the timeout (503 otherwise,
 * so a load balancer stops sending traffic here until it does). Only with `details` (the metrics
 * listener) does /readyz say what it checked: the public one says ready or not, nothing more.
 */
export function createHealthRouter(options: {
  database: Database;
  timeoutMs: number;
  extraChecks?: ReadinessCheck;
  details?: boolean;
}): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.set("Cache-Control", "no-store").json({ status: "ok" });
  });
  router.get("/readyz", async (req, res) => {
    res.set("Cache-Control", "no-store");
    const extra = options.details ? ((await options.extraChecks?.()) ?? {}) : undefined;
    const checks = (database: string) => (extra ? { checks: { database, ...extra } } : {});
    try {
      await withTimeout(options.database.ping(), options.timeoutMs);
      res.json({ status: "ready", ...checks("up") });
    } catch (error) {
      req.log?.warn({ err: error }, "readiness check failed");
      sendError(res, new AppError("SERVICE_UNAVAILABLE"), checks("down"));
    }
  });
  return router;
}
