import { sql } from "kysely";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPortico, type Portico } from "../src/portico.js";
import {
  createServerDatabase,
  newUserBody,
  SKIP_POSTGRES_REASON,
  silentLogger,
  TEST_DATABASE_URL,
  testConfig,
} from "./helpers.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

const REGISTER = "/api/v1/auth/register";
const LOGIN = "/api/v1/auth/login";
const ME = "/api/v1/auth/me";
/** The issue's bound: with the database unreachable, an answer within 5 s. */
const ANSWER_WITHIN_MS = 5000;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/** Polls until `check` passes; bounded, so a service that never recovers fails the test. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 30; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what}: not after 30 attempts`);
}

describe.skipIf(!TEST_DATABASE_URL)(
  `PostgreSQL unreachable behind a TCP proxy${TEST_DATABASE_URL ? "" : ` (${SKIP_POSTGRES_REASON})`}`,
  () => {
    let server: Awaited<ReturnType<typeof createServerDatabase>>;
    let proxy: TcpProxy;
    let portico: Portico;

    beforeAll(async () => {
      server = await createServerDatabase(TEST_DATABASE_URL as string);
      const target = new URL(server.url);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      // DB_TIMEOUT_MS is left at its default: the default must meet the 5 s bound.
      portico = await createPortico(testConfig({ DATABASE_URL: proxy.rewrite(server.url) }), silentLogger());
    });

    afterAll(async () => {
      await portico?.close();
      await proxy?.close();
      await server?.drop();
    });

    async function expectUnavailable(response: request.Response, ms: number) {
      expect(ms).toBeLessThan(ANSWER_WITHIN_MS);
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ statusCode: 503, code: "SERVICE_UNAVAILABLE" });
      expect(Number(response.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    }

    /**
     * Ready again, and then every pooled connection works: bursts wider than the connections that
     * were open, until one fully succeeds. A connection left hanging costs at most one 503 (its
     * query times out and it is replaced); one that is never replaced fails every burst.
     */
    async function recovers() {
      await eventually("/readyz answers 200", async () => (await request(portico.app).get("/readyz")).status === 200);
      await eventually("a burst of 10 registrations all succeed", async () => {
        const burst = await Promise.all(
          Array.from({ length: 10 }, () => request(portico.app).post(REGISTER).send(newUserBody())),
        );
        for (const r of burst) if (r.status !== 201) expect(r.body.code).toBe("SERVICE_UNAVAILABLE");
        return burst.every((r) => r.status === 201);
      });
    }

    it("answers 503 SERVICE_UNAVAILABLE within 5 s when the server is gone, /readyz 503, then recovers by itself", async () => {
      const user = newUserBody();
      const registered = await request(portico.app).post(REGISTER).send(user);
      expect(registered.status).toBe(201);

      await proxy.cut();
      const calls = [
        () => request(portico.app).post(REGISTER).send(newUserBody()),
        () => request(portico.app).post(LOGIN).send({ email: user.email, password: user.password }),
        () => request(portico.app).get(ME).set("Authorization", `Bearer ${registered.body.token}`),
      ];
      for (const call of calls) {
        const { value, ms } = await timed(call);
        await expectUnavailable(value, ms);
      }
      const ready = await request(portico.opsApp).get("/readyz");
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ code: "SERVICE_UNAVAILABLE", checks: { database: "down" } });

      await proxy.restore();
      await recovers();
      const login = await request(portico.app).post(LOGIN).send({ email: user.email, password: user.password });
      expect(login.status).toBe(200);
    });

    it("answers 503 within 5 s when the network swallows everything (only timeouts can tell), then recovers", {
      timeout: 120_000,
    }, async () => {
      // Open several pooled connections first: they are the ones a partition leaves hanging.
      await Promise.all(Array.from({ length: 6 }, () => request(portico.app).post(REGISTER).send(newUserBody())));

      proxy.blackhole();
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => timed(() => request(portico.app).post(REGISTER).send(newUserBody()))),
      );
      for (const { value, ms } of answers) await expectUnavailable(value, ms);
      const ready = await timed(() => request(portico.app).get("/readyz"));
      expect(ready.ms).toBeLessThan(ANSWER_WITHIN_MS);
      expect(ready.value.status).toBe(503);

      await proxy.restore();
      await recovers();
    });

    it("survives a connection lost in the middle of a query (no crash, the query fails)", async () => {
      const slow = sql`select pg_sleep(2)`.execute(portico.database.kysely);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await proxy.cut();
      await expect(slow).rejects.toThrow();
      await proxy.restore();
      await recovers();
    });
  },
);
