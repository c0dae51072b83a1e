import { existsSync } from "node:fs";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RATE_LIMIT_POLICIES } from "../src/auth/auth.limits.js";
import { openPglite } from "../src/db/pglite.js";
import { createHttpServer } from "../src/http/server.js";
import { createPortico } from "../src/portico.js";
import { WEB_DIST_DIR } from "../src/web/mount.js";
import { listenOnLoopback, silentLogger, testConfig } from "./helpers.js";
import { usePortico } from "./use-portico.js";

const HAVE_WEB = existsSync(join(WEB_DIST_DIR, "server", "entry.mjs"));
/** A non-loopback IPv4 address of this machine, for HOST (that case is left out without one). */
const HOST_ADDRESS = Object.values(networkInterfaces())
  .flat()
  .find((i) => i?.family === "IPv4" && !i.internal)?.address;

/**
 * The web client calls the API over loopback and says who the browser is (X-Forwarded-For). With
 * the default TRUST_PROXY=loopback the API counts each browser apart; if it counted the web
 * client's own address, 30 sign-ups would close registration for the whole site.
 */
describe.skipIf(!HAVE_WEB)(
  `rate limits behind the web client${HAVE_WEB ? "" : " (skipped: web/dist not built)"}`,
  () => {
    const portico = usePortico({ env: { RATE_LIMIT: "on" } });
    let listening: Awaited<ReturnType<typeof listenOnLoopback>> | undefined;
    let base: string;

    beforeAll(async () => {
      listening = await listenOnLoopback(portico.app);
      base = listening.url;
    });

    afterAll(async () => {
      await listening?.close();
    });

    const postForm = (browser: string) =>
      fetch(`${base}/register`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: base, "x-forwarded-for": browser },
        body: "email=&firstName=&lastName=&password=",
      });

    it("counts sign-up form posts per browser, not per web server", async () => {
      const { limit } = RATE_LIMIT_POLICIES.register;
      for (let i = 0; i < limit; i++) expect((await postForm("198.51.100.20")).status).toBe(422);
      const limited = await postForm("198.51.100.20");
      expect(limited.status).toBe(429);
      expect(await limited.text()).toContain("Too many attempts");
      expect((await postForm("198.51.100.21")).status).toBe(422);
    });
  },
);

/** A form post from a browser at `browser` (a loopback address of its own: 127.0.0.x). */
function postFrom(base: string, browser: string, path = "/register", headers: Record<string, string> = {}) {
  const body = "email=&firstName=&lastName=&password=";
  return new Promise<number>((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, {
      method: "POST",
      localAddress: browser,
      headers: { "content-type": "application/x-www-form-urlencoded", origin: base, ...headers },
    });
    req.once("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once("error", reject);
    req.end(body);
  });
}

/**
 * Issue 13, item 5: the web client hands the API the browser's address signed with a key of this
 * process (X-Portico-Client), so each browser is counted apart whatever HOST and TRUST_PROXY are.
 */
describe.skipIf(!HAVE_WEB)("rate limits behind the web client, whatever HOST and TRUST_PROXY are", () => {
  const opened: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const o of opened.reverse()) await o.close();
  });

  async function serve(env: Record<string, string>): Promise<string> {
    const config = testConfig({ RATE_LIMIT: "on", ...env });
    const portico = await createPortico(config, silentLogger(), await openPglite({ dataDir: undefined }));
    const server = createHttpServer(portico.app, config.http).listen(0, config.host);
    await new Promise((resolve) => server.once("listening", resolve));
    opened.push(portico, { close: () => new Promise((resolve) => server.close(() => resolve(undefined))) });
    return `http://${config.host}:${(server.address() as AddressInfo).port}`;
  }

  const { limit } = RATE_LIMIT_POLICIES.register;
  for (const [setting, env] of [
    ["TRUST_PROXY=false", { TRUST_PROXY: "false" }],
    // The web client then calls the API at that address, from that address: not a trusted proxy.
    ...(HOST_ADDRESS
      ? [[`HOST set to this machine's address (${HOST_ADDRESS})`, { HOST: HOST_ADDRESS }] as const]
      : []),
    ["a load-balancer subnet in TRUST_PROXY (10.0.0.0/8)", { TRUST_PROXY: "10.0.0.0/8" }],
  ] as const) {
    it(`counts sign-up form posts per browser with ${setting}`, async () => {
      const base = await serve(env);
      for (let i = 0; i < limit; i++) expect(await postFrom(base, "127.0.0.20")).toBe(422);
      expect(await postFrom(base, "127.0.0.20")).toBe(429);
      expect(await postFrom(base, "127.0.0.21")).toBe(422);
    });
  }

  it("ignores an X-Portico-Client header that a client forges: the API counts its real address", async () => {
    const base = await serve({ TRUST_PROXY: "false" });
    const forged = (i: number) => ({ "x-portico-client": `198.51.100.${i} ${"A".repeat(43)}` });
    for (let i = 0; i < limit; i++) {
      expect(await postFrom(base, "127.0.0.30", "/api/v1/auth/register", forged(i))).toBe(415);
    }
    expect(await postFrom(base, "127.0.0.30", "/api/v1/auth/register", forged(99))).toBe(429);
  });
});
