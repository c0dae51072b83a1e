import { afterAll, beforeAll } from "vitest";
import { startTestSmtpServer, type TestSmtpServer } from "../../../src/mail/test-support.js";
import { startWebServer, type WebServer } from "../web-server.js";

/** A web server (API and pages) whose mail goes to an SMTP server in this process. */
export interface Site {
  web: WebServer;
  smtp: TestSmtpServer;
}

export async function startSite(env: Record<string, string> = {}): Promise<Site> {
  const smtp = await startTestSmtpServer();
  try {
    return { smtp, web: await startWebServer({ SMTP_URL: smtp.url, ...env }) };
  } catch (error) {
    await smtp.close();
    throw error;
  }
}

export async function stopSite(site: Site | undefined): Promise<void> {
  await site?.web.close();
  await site?.smtp.close();
}

/** Starts something before the tests of a describe block, hands it to `got`, stops it after them. */
function useStarted<T>(
  start: () => Promise<T>,
  stop: (started: T | undefined) => Promise<unknown>,
  got: (started: T) => void,
) {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
    got(started);
  });
  afterAll(() => stop(started));
}

/** The whole service for the tests of a describe block, handed to `got` (the block's `let web`). */
export function useWebServer(got: (web: WebServer) => void, env: Record<string, string> = {}): void {
  useStarted(
    () => startWebServer(env),
    async (web) => web?.close(),
    got,
  );
}

/** The same with mail: a site (startSite) for the tests of a describe block. */
export function useSite(got: (site: Site) => void, env: Record<string, string> = {}): void {
  useStarted(() => startSite(env), stopSite, got);
}
