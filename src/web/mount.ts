import { existsSync } from "node:fs";
import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import express, { type Request, type RequestHandler } from "express";
import type { Config } from "../config.js";
import type { Logger } from "../ops/logger.js";

/** web/dist: two levels up from src/web (tsx, vitest) and from dist/web (compiled). */
export const WEB_DIST_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../web/dist");

const NOT_FOUND_PAGE = "/404";

/**
 * Astro adds its image endpoint to every server build. The pages use no images, and it answered
 * any public file as `image/null`: it is not served (404, like any unknown path).
 */
const IMAGE_ENDPOINT = /^\/_image\/?$/i;

/** Form posts are a few hundred bytes; the same cap as the API's JSON bodies. */
const FORM_LIMIT = "16kb";

/**
 * The Astro adapter's handler puts a "close" listener on the socket for every request it is
 * handed, and removes it when it writes an answer. A path that is not a page is handed back to
 * `next` with the listener still on: on a keep-alive connection every unknown path added one
 * (MaxListenersExceededWarning after 10). Astro keeps the remover on the request under this
 * registered symbol (astro/dist/core/app/node.js); test/web/newcomer.test.ts notices if it moves.
 */
const ASTRO_REQUEST_CLEANUP = Symbol.for("astro.nodeRequestAbortControllerCleanup");

function releaseAstroRequest(req: Request): void {
  const cleanup: unknown = Reflect.get(req, ASTRO_REQUEST_CLEANUP);
  if (typeof cleanup === "function") cleanup();
}

/** Characters a canonical path may hold (RFC 3986 pchar and "/"): no backslash, nothing odd. */
const PLAIN_PATH = /^[A-Za-z0-9\-._~%!$&'()*+,;=:@/]+$/;

/**
 * One URL per page: `/login/` and `/login//` are `/login` (301 for GET and HEAD, 308 for the
 * rest, which keeps the method and the body), the query kept. Repeated slashes collapse first,
 * so that no Location starts with `//` (another site, to a browser).
 */
function canonicalPath(path: string): string | undefined {
  if (!PLAIN_PATH.test(path)) return undefined;
  const canonical = path.replace(/\/{2,}/g, "/").replace(/(.)\/$/, "$1");
  return canonical === path ? undefined : canonical;
}

const redirectToCanonical: RequestHandler = (req, res, next) => {
  const path = canonicalPath(req.path);
  if (path === undefined) return next();
  const start = req.originalUrl.indexOf("?");
  const query = start === -1 ? "" : req.originalUrl.slice(start);
  res.redirect(req.method === "GET" || req.method === "HEAD" ? 301 : 308, path + query);
};

/**
 * What every page request gets in Astro's `locals`. web/src/env.d.ts declares the same shape
 * (App.Locals) for the pages: keep the two in step.
 */
interface WebLocals {
  siteOrigin: string;
  apiBaseUrl: string;
  secureCookies: boolean;
  clientAddress: string | undefined;
  /** X-Portico-Client for the API of this process: the browser's address, signed (src/http/web-client-address.ts). */
  clientProof: string | undefined;
  requestId: string | undefined;
  log: Logger | undefined;
}

/** The adapter's middleware-mode handler (web/dist/server/entry.mjs). */
type AstroHandler = (req: Request, res: ServerResponse, next: () => void, locals: WebLocals) => Promise<void>;

export interface WebOptions {
  /** PUBLIC_ORIGIN; unset: the origin each request was sent to, as Express sees it (TRUST_PROXY). */
  publicOrigin: string | undefined;
  /** API_BASE_URL; unset: this same process (see sameProcessUrl). */
  apiBaseUrl: string | undefined;
  /** The address the server listens on (HOST). */
  listenHost: string;
  /** Secure cookies: in production. */
  secureCookies: boolean;
  /** Signs the browser's address for the API of this process (used when apiBaseUrl is unset). */
  signClient?: ((address: string) => string) | undefined;
}

export function webOptions(config: Config): WebOptions {
  return {
    publicOrigin: config.publicOrigin,
    apiBaseUrl: config.apiBaseUrl,
    listenHost: config.host,
    secureCookies: config.env === "production",
  };
}

const WILDCARD = new Set(["0.0.0.0", "::", ""]);

/**
 * The API of this very process: the port the request came in on, at loopback when the server
 * listens on every interface. Loopback, not the address the browser used, so that the API sees
 * a trusted proxy (TRUST_PROXY=loopback) and rate-limits each browser by its own address.
 */
export function sameProcessUrl(listenHost: string, socket: Socket): string {
  const host = WILDCARD.has(listenHost) ? "127.0.0.1" : listenHost;
  return `http://${host.includes(":") ? `[${host}]` : host}:${socket.localPort}`;
}

/**
 * The built web client as Express middleware: static assets, then the server-rendered pages,
 * then an HTML 404 for browsers (anything else falls through to the JSON 404).
 * Undefined, with a warning, when the client has not been built (`npm run build:web`).
 */
export async function loadWebHandler(
  options: WebOptions,
  logger: Logger,
  distDir: string = WEB_DIST_DIR,
): Promise<RequestHandler | undefined> {
  const entry = join(distDir, "server", "entry.mjs");
  if (!existsSync(entry)) {
    logger.warn({ entry }, "web client not built (npm run build:web): serving the API only");
    return undefined;
  }
  const { handler } = (await import(pathToFileURL(entry).href)) as { handler: AstroHandler };
  const clientDir = join(distDir, "client");
  const hashedAssets = join(clientDir, "_astro");
  const publicOrigin = options.publicOrigin && new URL(options.publicOrigin).origin;

  const router = express.Router();
  router.use(redirectToCanonical);
  router.use(
    express.static(clientDir, {
      index: false,
      redirect: false,
      setHeaders(res, path) {
        // Astro puts a content hash in every file name under _astro/.
        if (path.startsWith(hashedAssets)) res.set("Cache-Control", "public, max-age=31536000, immutable");
      },
    }),
  );
  // Astro reads a body it is handed as text, so the size cap applies before it sees the post.
  router.use(express.text({ type: () => true, limit: FORM_LIMIT }));
  router.use((req, res, next) => {
    const locals: WebLocals = {
      siteOrigin: publicOrigin || `${req.protocol}://${req.host}`,
      apiBaseUrl: options.apiBaseUrl ?? sameProcessUrl(options.listenHost, req.socket),
      secureCookies: options.secureCookies,
      clientAddress: req.ip,
      clientProof: req.ip && !options.apiBaseUrl ? options.signClient?.(req.ip) : undefined,
      requestId: res.getHeader("x-request-id")?.toString(),
      log: req.log,
    };
    const notAPage = () => {
      releaseAstroRequest(req);
      const wantsHtml = (req.method === "GET" || req.method === "HEAD") && req.accepts(["json", "html"]) === "html";
      if (!wantsHtml || req.url === NOT_FOUND_PAGE) return next();
      // Astro answers its /404 page with status 404; logs keep the path asked for (originalUrl).
      req.url = NOT_FOUND_PAGE;
      handler(req, res, next, locals).catch(next);
    };
    if (IMAGE_ENDPOINT.test(req.path)) return notAPage();
    handler(req, res, notAPage, locals).catch(next);
  });
  return router;
}
