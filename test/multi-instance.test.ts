import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerDatabase, TEST_DATABASE_URL, TEST_JWT_SECRET, TEST_REDIS_URL } from "./helpers.js";
import { type Cluster, findNginx, type Instance, startCluster } from "./support/cluster.js";
import { raceSameEmail, registerFromOneAddress, sigtermUnderLoad } from "./support/cluster-scenarios.js";

/**
 * Two real instances (separate processes) on one PostgreSQL database and one Redis, behind
 * nginx, all on 127.0.0.1. CI sets TEST_DATABASE_URL and TEST_REDIS_URL and installs nginx;
 * without any of them this file skips and says why. The script for people is
 * bench/multi-instance.ts (npm run bench:multi).
 */
const missing = [
  !TEST_DATABASE_URL && "TEST_DATABASE_URL is unset",
  !TEST_REDIS_URL && "TEST_REDIS_URL is unset",
  !findNginx() && "nginx is not installed (apt-get install nginx)",
].filter(Boolean);
const skipReason = missing.length > 0 ? `skipped: ${missing.join("; ")}` : "";
if (skipReason) console.warn(`test/multi-instance.test.ts ${skipReason}`);

describe.skipIf(missing.length > 0)(
  `two instances behind nginx, one PostgreSQL, one Redis ${skipReason}`.trim(),
  () => {
    const redisPrefix = `portico-test-${randomUUID()}:`;
    let database: { url: string; drop(): Promise<void> };
    let cluster: Cluster;

    beforeAll(async () => {
      database = await createServerDatabase(TEST_DATABASE_URL as string);
      cluster = await startCluster({
        instances: 2,
        env: {
          NODE_ENV: "test",
          DATABASE_URL: database.url,
          REDIS_URL: TEST_REDIS_URL as string,
          REDIS_PREFIX: redisPrefix,
          TRUST_PROXY: "loopback",
          RATE_LIMIT: "on",
          BCRYPT_COST: "4",
          JWT_SECRET: TEST_JWT_SECRET,
          LOG_LEVEL: "warn",
          SHUTDOWN_TIMEOUT_MS: "10000",
        },
      });
    }, 120_000);

    afterAll(async () => {
      await cluster?.stop();
      await database?.drop();
      const redis = new Redis(TEST_REDIS_URL as string, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
      const keys = await redis.keys(`${redisPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }, 60_000);

    it("spreads requests over both instances", async () => {
      const race = await raceSameEmail(cluster, 10);
      expect(Object.keys(race.upstreams).sort()).toEqual(cluster.instances.map((i) => i.address).sort());
    });

    it("refuses a session revoked on one instance at once on the other (the database is the judge)", async () => {
      const [first, second] = cluster.instances as [Instance, Instance];
      const body = { email: `revoke-${randomUUID()}@cluster.example`, password: "correct horse battery", name: "Ada" };
      const headers = { "content-type": "application/json", "x-forwarded-for": "198.18.200.1" };
      const registered = await fetch(`${first.url}/api/v1/auth/register`, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
      });
      expect(registered.status).toBe(201);
      const { token } = (await registered.json()) as { token: string };
      const me = (instance: Instance) =>
        fetch(`${instance.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      // Seen as valid by both first, so that a cache (there is none) would have something to keep.
      expect([(await me(first)).status, (await me(second)).status]).toEqual([200, 200]);
      const out = await fetch(`${first.url}/api/v1/auth/logout`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(out.status).toBe(204);
      expect((await me(second)).status).toBe(401);
      expect((await me(first)).status).toBe(401);
    });

    it("answers a 50-way race for one e-mail over both instances with one 201 and 49 409s", async () => {
      const race = await raceSameEmail(cluster, 50);
      expect(race.statuses).toEqual({ 201: 1, 409: 49 });
      expect(Object.keys(race.upstreams)).toHaveLength(2);
      for (const a of race.answers.filter((x) => x.status === 409)) expect(a.body.code).toBe("EMAIL_TAKEN");
    });

    it("counts the register limit (30 per address per 5 min) across instances", async () => {
      const run = await registerFromOneAddress(cluster, 40);
      // Counted per instance, each would allow 30: all 40 would pass. Shared in Redis: 30 pass.
      expect(run.statuses).toEqual({ 201: 30, 429: 10 });
      expect(Object.keys(run.upstreamsOf201)).toHaveLength(2);
      const refused = run.answers.filter((a) => a.status === 429);
      for (const a of refused) {
        expect(a.body).toMatchObject({ statusCode: 429, code: "RATE_LIMITED", error: "Too Many Requests" });
        expect(Number(a.retryAfter)).toBeGreaterThan(0);
      }
    });

    it("loses no user and gives no 5xx from the survivor when one instance gets SIGTERM under load", async () => {
      const run = await sigtermUnderLoad(cluster, { concurrency: 8, beforeMs: 1500, afterMs: 2500 });
      expect(run.victimExitCode).toBe(0);
      expect(run.created).toBeGreaterThan(0);
      expect(run.createdAfterSignal).toBeGreaterThan(0);
      // Every user that was told 201 exists and can sign in.
      expect(run.loginStatuses).toEqual({ 200: run.created });
      expect(run.survivorFailures).toEqual([]);
      // At most the requests that were in flight on the stopped instance may fail.
      expect(run.failures.length).toBeLessThanOrEqual(run.inFlightAtSignal);
      expect(cluster.instances[1]?.process.exitCode).toBeNull();
    }, 60_000);
  },
);
