import request from "supertest";
import { describe, expect, it } from "vitest";
import { newUserBody, uniqueEmail } from "../../test/helpers.js";
import { expectRateLimited, sendInOrder } from "../../test/support/rate-limits.js";
import { usePortico } from "../../test/use-portico.js";
import type { Logger } from "../ops/logger.js";
import { LOGIN_DELAY, RATE_LIMIT_POLICIES } from "./auth.limits.js";

const REGISTER = "/api/v1/auth/register";
const LOGIN = "/api/v1/auth/login";

const instances = usePortico({ shared: false });
const portico = (env: Record<string, string> = {}, logger?: Logger) =>
  instances.open({ RATE_LIMIT: "on", ...env }, logger && { logger });

const { register, login_address } = RATE_LIMIT_POLICIES;

describe("rate limits (memory store)", () => {
  it("has SPEC's limits, with issue 13's lockout policy for sign-in", () => {
    expect(RATE_LIMIT_POLICIES).toEqual({
      register: { limit: 30, windowMs: 5 * 60_000 },
      login_address: { limit: 100, windowMs: 15 * 60_000 },
      login_email_address: { limit: 10, windowMs: 15 * 60_000 },
      login_email: { limit: 100, windowMs: 15 * 60_000 },
    });
    expect(LOGIN_DELAY).toEqual({ stepMs: 250, maxMs: 3000 });
  });

  it("answers the 31st registration from one address in 5 minutes with 429 RATE_LIMITED and Retry-After", async () => {
    const { app } = await portico();
    const client = "198.51.100.1";
    // Empty bodies: counted like any other attempt, and no bcrypt work.
    const allowed = await sendInOrder(register.limit, () =>
      request(app).post(REGISTER).set("X-Forwarded-For", client).send({}),
    );
    expect(allowed.map((r) => r.status)).toEqual(Array(register.limit).fill(422));
    const refused = await request(app).post(REGISTER).set("X-Forwarded-For", client).send(newUserBody());
    expectRateLimited(refused, register.windowMs / 1000);
    expect(refused.headers["ratelimit-policy"]).toBe(`${register.limit};w=${register.windowMs / 1000}`);
    // Another address is counted apart.
    const other = await request(app).post(REGISTER).set("X-Forwarded-For", "198.51.100.2").send(newUserBody());
    expect(other.status).toBe(201);
  });

  it("answers the 101st login from one address with 429, whichever e-mails it tries", async () => {
    const { app, database } = await portico();
    const client = "192.0.2.77";
    const attempts = await sendInOrder(login_address.limit, () =>
      request(app).post(LOGIN).set("X-Forwarded-For", client).send({ email: "", password: "" }),
    );
    expect(attempts.map((r) => r.status)).toEqual(Array(login_address.limit).fill(422));
    const refused = await request(app)
      .post(LOGIN)
      .set("X-Forwarded-For", client)
      .send({ email: uniqueEmail(), password: "whatever it is" });
    expectRateLimited(refused, login_address.windowMs / 1000);
    expect(database.kind).toBe("pglite");
  });

  it("takes the client address from X-Forwarded-For only from trusted proxies (TRUST_PROXY)", async () => {
    const { app } = await portico({ TRUST_PROXY: "false" });
    // Untrusted: every request is the test's own address, whatever the header claims.
    const spoofed = await sendInOrder(register.limit, () =>
      request(app)
        .post(REGISTER)
        .set("X-Forwarded-For", `198.51.100.${Math.floor(Math.random() * 250) + 1}`)
        .send({}),
    );
    expect(spoofed.every((r) => r.status === 422)).toBe(true);
    const refused = await request(app).post(REGISTER).set("X-Forwarded-For", "198.51.100.251").send({});
    expect(refused.status).toBe(429);
  });

  it("counts nothing with RATE_LIMIT=off", async () => {
    const { app, opsApp } = await portico({ RATE_LIMIT: "off" });
    const responses = await sendInOrder(register.limit + 5, () => request(app).post(REGISTER).send({}));
    expect(responses.every((r) => r.status === 422)).toBe(true);
    const ready = await request(opsApp).get("/readyz");
    expect(ready.body.checks).toMatchObject({ rateLimit: "off" });
  });

  it("counts refusals in /metrics", async () => {
    const { app, opsApp } = await portico();
    await sendInOrder(register.limit + 2, () =>
      request(app).post(REGISTER).set("X-Forwarded-For", "198.51.100.9").send({}),
    );
    const metrics = await request(opsApp).get("/metrics");
    expect(metrics.text).toMatch(/^portico_rate_limited_total\{limit="register"\} 2$/m);
    expect(metrics.text).toMatch(/^portico_registrations_total\{outcome="rate_limited"\} 2$/m);
    expect(metrics.text).toMatch(/^portico_rate_limit_store\{store="memory"\} 1$/m);
  });
});
