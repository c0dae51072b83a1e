import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite } from "../src/db/pglite.js";
import { RATE_LIMIT_POLICIES } from "../src/http/rate-limit.js";
import { createPortico, type Portico } from "../src/portico.js";
import { WEB_DIST_DIR } from "../src/web/mount.js";
import { listenOnLoopback, silentLogger, testConfig } from "./helpers.js";

const HAVE_WEB = existsSync(join(WEB_DIST_DIR, "server", "entry.mjs"));

/**
 * The web client calls the API over loopback and says who the browser is (X-Forwarded-For). With
 * the default TRUST_PROXY=loopback the API counts each browser apart; if it counted the web
 * client's own address, 30 sign-ups would close registration for the whole site.
 */
describe.skipIf(!HAVE_WEB)(
  `rate limits behind the web client${HAVE_WEB ? "" : " (skipped: web/dist not built)"}`,
  () => {
    let portico: Portico;
    let listening: Awaited<ReturnType<typeof listenOnLoopback>> | undefined;
    let base: string;

    beforeAll(async () => {
      portico = await createPortico(
        testConfig({ RATE_LIMIT: "on" }),
        silentLogger(),
        await openPglite({ dataDir: undefined }),
      );
      listening = await listenOnLoopback(portico.app);
      base = listening.url;
    });

    afterAll(async () => {
      await listening?.close();
      await portico?.close();
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
