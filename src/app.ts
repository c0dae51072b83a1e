import express, { type RequestHandler, type Router } from "express";
import { handleError, notFound } from "./http/error-handler.js";

/** The parts of the app, each built by the composition root (src/portico.ts). */
export interface AppParts {
  /** Express `trust proxy` (TRUST_PROXY): decides `req.ip`. */
  trustProxy: boolean | number | string;
  /** Takes the browser's address from the web client's signed header (src/http/web-client-address.ts). */
  webClientAddress?: RequestHandler | undefined;
  requestLogger: RequestHandler;
  httpMetrics: RequestHandler;
  securityHeaders: RequestHandler;
  /** Only when CORS_ORIGINS lists origins. */
  cors?: RequestHandler | undefined;
  /** /healthz, /readyz (ready or not: the details are on the metrics listener, src/ops/ops-app.ts). */
  health: Router;
  /** /api/v1/openapi.json, /api/v1/docs. */
  apiDocs: Router;
  /** The feature routers mounted under /api/v1/auth, in order (register, login, me; sessions; …). */
  authApi: Router[];
  /** /dev/mailbox: development only. */
  devMailbox?: Router | undefined;
  /** The web client (Astro), mounted after the API. */
  web?: RequestHandler | undefined;
}

const noStore: RequestHandler = (_req, res, next) => {
  res.set("Cache-Control", "no-store");
  next();
};

/** The Express app, without listen(): tests call it in-process. This is the middleware order. */
export function createApp(parts: AppParts): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", parts.trustProxy);
  if (parts.webClientAddress) app.use(parts.webClientAddress);

  app.use(parts.requestLogger);
  app.use(parts.httpMetrics);
  app.use(parts.securityHeaders);
  if (parts.cors) app.use(parts.cors);

  app.use(parts.health);
  app.use(parts.apiDocs);

  app.use("/api", noStore);
  for (const router of parts.authApi) app.use("/api/v1/auth", router);
  app.use("/api", notFound);

  if (parts.devMailbox) app.use(parts.devMailbox);
  if (parts.web) app.use(parts.web);
  app.use(notFound);
  app.use(handleError);
  return app;
}
