import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Database } from "../../src/db/index.js";
import type { Logger } from "../../src/ops/logger.js";
import { createPortico, type Portico } from "../../src/portico.js";
import { WEB_DIST_DIR } from "../../src/web/mount.js";
import { listenOnLoopback, silentLogger, TEST_ENGINES, testConfig } from "../helpers.js";

export interface WebServer {
  /** e.g. http://127.0.0.1:40123: the pages and the API, one process, one port. */
  url: string;
  portico: Portico;
  close(): Promise<void>;
}

/**
 * The whole service (API + web client) listening on a free port, on an in-memory PGlite.
 * The web client finds the API at the address the request came in on, so nothing else is needed.
 */
export async function startWebServer(
  env: Record<string, string> = {},
  logger: Logger = silentLogger(),
): Promise<WebServer> {
  if (!existsSync(join(WEB_DIST_DIR, "server", "entry.mjs"))) {
    throw new Error("the web client is not built: run `npm run build:web` (npm test does)");
  }
  const engine = TEST_ENGINES[0];
  if (!engine) throw new Error("no test engine");
  const database: Database = await engine.open();
  const portico = await createPortico(testConfig(env), logger, database);
  const listening = await listenOnLoopback(portico.app);
  return {
    url: listening.url,
    portico,
    async close() {
      await listening.close();
      await portico.close();
    },
  };
}

/** The cookies a response sets, by name: the whole Set-Cookie line of each. */
export function setCookies(response: Response): Map<string, string> {
  return new Map(response.headers.getSetCookie().map((line) => [line.slice(0, line.indexOf("=")), line]));
}

/** A Cookie header from a response's Set-Cookie lines (name=value pairs only). */
export function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
}

export interface PostInit {
  /** The Origin header: the server's own by default; null sends none. */
  origin?: string | null;
  cookie?: string;
  /** More headers, e.g. Sec-Fetch-Site. */
  headers?: Record<string, string>;
}

/** A form post as a browser sends it, without following the redirect. */
export function postForm(base: string, path: string, fields: Record<string, string>, init: PostInit = {}) {
  const origin = init.origin === undefined ? base : init.origin;
  return fetch(`${base}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(origin !== null && { origin }),
      ...(init.cookie && { cookie: init.cookie }),
      ...init.headers,
    },
    body: new URLSearchParams(fields),
  });
}
