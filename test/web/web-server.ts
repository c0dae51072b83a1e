import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Database } from "../../src/db/index.js";
import type { Portico } from "../../src/portico.js";
import { WEB_DIST_DIR } from "../../src/web/mount.js";
import { createTestPortico, listenOnLoopback, TEST_ENGINES } from "../helpers.js";

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
export async function startWebServer(env: Record<string, string> = {}): Promise<WebServer> {
  if (!existsSync(join(WEB_DIST_DIR, "server", "entry.mjs"))) {
    throw new Error("the web client is not built: run `npm run build:web` (npm test does)");
  }
  const engine = TEST_ENGINES[0];
  if (!engine) throw new Error("no test engine");
  const database: Database = await engine.open();
  const portico = await createTestPortico(database, env);
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
