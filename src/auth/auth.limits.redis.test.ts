import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";
import { newUserBody, SKIP_REDIS_REASON, TEST_REDIS_URL, uniqueEmail } from "../../test/helpers.js";
import { captureLogs } from "../../test/log-capture.js";
import { expectRateLimited, sendInOrder } from "../../test/support/rate-limits.js";
import { startTcpProxy, type TcpProxy } from "../../test/tcp-proxy.js";
import { usePortico } from "../../test/use-portico.js";
import type { Logger } from "../ops/logger.js";
import type { Portico } from "../portico.js";
import { RATE_LIMIT_POLICIES } from "./auth.limits.js";

const REGISTER = "/api/v1/auth/register";
const LOGIN = "/api/v1/auth/login";

const instances = usePortico({ shared: false });
const portico = (env: Record<string, string> = {}, logger?: Logger) =>
  instances.open({ RATE_LIMIT: "on", ...env }, logger && { logger });

const { register, login_email_address } = RATE_LIMIT_POLICIES;

describe.skipIf(!TEST_REDIS_URL)(`rate limits in Redis${TEST_REDIS_URL ? "" : ` (${SKIP_REDIS_REASON})`}`, () => {
  const redisUrl = TEST_REDIS_URL as string;
  const admin = TEST_REDIS_URL ? new Redis(redisUrl, { lazyConnect: true }) : undefined;
  const prefixes: string[] = [];
  const proxies: TcpProxy[] = [];

  /** A key prefix of this test's own, so tests never share counters. */
  function uniquePrefix(): string {
    const prefix = `portico-test-${randomUUID()}:`;
    prefixes.push(prefix);
    return prefix;
  }

  async function redisProxy(): Promise<TcpProxy> {
    const target = new URL(redisUrl);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    proxies.push(proxy);
    return proxy;
  }

  async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
    for (let attempt = 0; attempt < 60; attempt++) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${what}: not after 60 attempts`);
  }

  afterAll(async () => {
    for (const proxy of proxies) await proxy.close();
    if (!admin) return;
    for (const prefix of prefixes) {
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
    }
    admin.disconnect();
  });

  /** Two instances counting in one Redis under a prefix of their own, once both count there. */
  async function twoInstancesOnRedis() {
    const env = { REDIS_URL: redisUrl, REDIS_PREFIX: uniquePrefix() };
    const a = await portico(env);
    const b = await portico(env);
    await eventually("both instances use Redis", async () => {
      const ready = await Promise.all([a, b].map((p) => request(p.opsApp).get("/readyz")));
      return ready.every((r) => r.body.checks?.rateLimit === "redis");
    });
    return { env, a, b };
  }

  it("shares the counters between instances: the limit holds across them", async () => {
    const { env, a, b } = await twoInstancesOnRedis();
    const half = register.limit / 2;
    const fromA = await sendInOrder(half, () => request(a.app).post(REGISTER).send({}));
    const fromB = await sendInOrder(half, () => request(b.app).post(REGISTER).send({}));
    expect([...fromA, ...fromB].every((r) => r.status === 422)).toBe(true);
    expect((await request(a.app).post(REGISTER).send({})).status).toBe(429);
    expect((await request(b.app).post(REGISTER).send({})).status).toBe(429);
    const keys = await admin?.keys(`${env.REDIS_PREFIX}rl:register:*`);
    expect(keys).toHaveLength(1);
  });

  it("shares the sign-in failure counters: the (e-mail, address) limit holds across instances and a success clears it in Redis", async () => {
    const { env, a, b } = await twoInstancesOnRedis();
    const body = newUserBody();
    expect((await request(a.app).post(REGISTER).send(body)).status).toBe(201);
    const wrong = (p: Portico) => request(p.app).post(LOGIN).send({ email: body.email, password: "wrong password" });
    const keys = () => admin?.keys(`${env.REDIS_PREFIX}rl:login_email*`) ?? Promise.resolve([]);
    await sendInOrder(4, () => wrong(a));
    await sendInOrder(4, () => wrong(b));
    expect(await keys()).toHaveLength(2);
    expect((await request(a.app).post(LOGIN).send(body)).status).toBe(200);
    await eventually("the success cleared both counters", async () => (await keys()).length === 0);
    const half = login_email_address.limit / 2;
    const again = [...(await sendInOrder(half, () => wrong(a))), ...(await sendInOrder(half, () => wrong(b)))];
    expect(again.every((r) => r.status === 401)).toBe(true);
    expect((await request(a.app).post(LOGIN).send(body)).status).toBe(429);
    expect((await request(b.app).post(LOGIN).send(body)).status).toBe(429);
  });

  it("keeps limiting in memory, never 500, while Redis is unreachable: logged once, shown in /readyz and /metrics", async () => {
    const proxy = await redisProxy();
    const logs = captureLogs("info");
    const { app, opsApp } = await portico(
      { REDIS_URL: proxy.rewrite(redisUrl), REDIS_PREFIX: uniquePrefix() },
      logs.logger,
    );
    await eventually(
      "Redis in use",
      async () => (await request(opsApp).get("/readyz")).body.checks?.rateLimit === "redis",
    );

    await proxy.cut();
    const email = uniqueEmail();
    const attempts = await sendInOrder(login_email_address.limit, () =>
      request(app).post(LOGIN).send({ email, password: "wrong password" }),
    );
    expect(attempts.map((r) => r.status)).toEqual(Array(login_email_address.limit).fill(401));
    expectRateLimited(
      await request(app).post(LOGIN).send({ email, password: "wrong password" }),
      login_email_address.windowMs / 1000,
    );

    const ready = await request(opsApp).get("/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: "up", redis: "down", rateLimit: "memory-fallback" });
    const metrics = (await request(opsApp).get("/metrics")).text;
    expect(metrics).toMatch(/^portico_redis_up 0$/m);
    expect(metrics).toMatch(/^portico_rate_limit_store\{store="memory-fallback"\} 1$/m);
    expect(metrics).toMatch(/^portico_rate_limit_fallback_total\{limit="login_email_address"\} [1-9]\d*$/m);
    const warnings = logs.records().filter((r) => String(r.msg).startsWith("redis unreachable"));
    expect(warnings).toHaveLength(1);

    await proxy.restore();
    await eventually("back on Redis", async () => (await request(opsApp).get("/readyz")).body.checks?.redis === "up");
    expect(logs.records().filter((r) => String(r.msg).startsWith("redis reachable again"))).toHaveLength(1);
    expect((await request(opsApp).get("/metrics")).text).toMatch(/^portico_redis_up 1$/m);
  });

  it("answers without waiting when Redis stops answering without closing (a partition)", async () => {
    const proxy = await redisProxy();
    const { app, opsApp } = await portico({ REDIS_URL: proxy.rewrite(redisUrl), REDIS_PREFIX: uniquePrefix() });
    await eventually(
      "Redis in use",
      async () => (await request(opsApp).get("/readyz")).body.checks?.rateLimit === "redis",
    );
    proxy.blackhole();
    const responses = await sendInOrder(5, () => request(app).post(REGISTER).send({}));
    // The first waits for the command timeout (1 s); the rest go straight to memory.
    expect(responses.map((r) => r.status)).toEqual(Array(5).fill(422));
    expect((await request(opsApp).get("/readyz")).body.checks).toMatchObject({
      redis: "down",
      rateLimit: "memory-fallback",
    });
    await proxy.restore();
  });

  it("starts while Redis is down and moves its counters to Redis once it answers", async () => {
    const proxy = await redisProxy();
    await proxy.cut();
    const prefix = uniquePrefix();
    const { app, opsApp } = await portico({ REDIS_URL: proxy.rewrite(redisUrl), REDIS_PREFIX: prefix });
    expect((await request(app).post(REGISTER).send({})).status).toBe(422);
    expect((await request(opsApp).get("/readyz")).body.checks).toMatchObject({ rateLimit: "memory-fallback" });

    await proxy.restore();
    await eventually(
      "Redis in use",
      async () => (await request(opsApp).get("/readyz")).body.checks?.rateLimit === "redis",
    );
    await eventually("a counter in Redis", async () => {
      expect((await request(app).post(REGISTER).send({})).status).toBe(422);
      return ((await admin?.keys(`${prefix}rl:register:*`)) ?? []).length === 1;
    });
  });
});
