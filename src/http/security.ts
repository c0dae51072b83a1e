import cors from "cors";
import type { RequestHandler } from "express";
import helmet, { type HelmetOptions } from "helmet";

type Directives = Record<string, string[]>;

/**
 * Pages (the Astro web client, the API reference): scripts, styles, fonts and images from this
 * origin only; no inline script or style, no plugins, no framing, forms post only here. Astro is
 * built to emit its scripts and styles as files under /_astro/ (web/astro.config.mjs), and the API
 * reference loads Swagger UI from files, so nothing needs 'unsafe-inline' or a hash.
 */
const PAGE_CSP: Readonly<Directives> = {
  "default-src": ["'self'"],
  "script-src": ["'self'"],
  "style-src": ["'self'"],
  "img-src": ["'self'", "data:"],
  "font-src": ["'self'"],
  "connect-src": ["'self'"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
  "base-uri": ["'none'"],
  "object-src": ["'none'"],
};

/** JSON answers load nothing at all. */
const API_CSP: Readonly<Directives> = {
  "default-src": ["'none'"],
  "frame-ancestors": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'none'"],
};

/** Paths under /api that are pages, not JSON (the API reference). */
const API_PAGES = ["/api/v1/docs"];

function isJsonApi(path: string): boolean {
  if (path !== "/api" && !path.startsWith("/api/")) return false;
  return !API_PAGES.some((page) => path === page || path.startsWith(`${page}/`));
}

/**
 * helmet on every answer, with the strict page policy or the API's. Express's X-Powered-By is
 * disabled in createApp. `upgrade-insecure-requests` only in production: in development the site
 * is plain http on loopback.
 */
export function securityHeaders(options: { production: boolean }): RequestHandler {
  const common: HelmetOptions = { xFrameOptions: { action: "deny" } };
  const upgrade: Directives = options.production ? { "upgrade-insecure-requests": [] } : {};
  const pages = helmet({
    ...common,
    contentSecurityPolicy: { useDefaults: false, directives: { ...PAGE_CSP, ...upgrade } },
  });
  const api = helmet({ ...common, contentSecurityPolicy: { useDefaults: false, directives: { ...API_CSP } } });
  return (req, res, next) => (isJsonApi(req.path) ? api : pages)(req, res, next);
}

/**
 * CORS for the JSON API, off unless CORS_ORIGINS lists origins (config refuses `*` and paths).
 * Never credentialed: the API authenticates with a bearer token, not cookies, so browsers have no
 * ambient credentials to send.
 */
export function corsForApi(origins: readonly string[]): RequestHandler | undefined {
  if (origins.length === 0) return undefined;
  const allow = cors({
    origin: [...origins],
    credentials: false,
    methods: ["GET", "HEAD", "POST"],
    allowedHeaders: ["Content-Type", "Authorization", "X-Request-Id"],
    exposedHeaders: ["Retry-After", "X-Request-Id", "RateLimit", "RateLimit-Policy", "WWW-Authenticate", "Location"],
    maxAge: 600,
  });
  return (req, res, next) => (isJsonApi(req.path) ? allow(req, res, next) : next());
}
