import request from "supertest";
import { describe, expect, it } from "vitest";
import { newUserBody, uniqueEmail } from "../../test/helpers.js";
import { usePortico } from "../../test/use-portico.js";
import { LOGIN_DELAY, RATE_LIMIT_POLICIES } from "./auth.limits.js";

/** Issue 13, item 1: sign-in counts failures only, so nobody can lock someone else out. */

const REGISTER = "/api/v1/auth/register";
const LOGIN = "/api/v1/auth/login";
const { login_email_address, login_email } = RATE_LIMIT_POLICIES;

const instances = usePortico({ shared: false });
const portico = () => instances.open({ RATE_LIMIT: "on" });

async function send(count: number, make: () => request.Test): Promise<request.Response[]> {
  const responses: request.Response[] = [];
  for (let i = 0; i < count; i++) responses.push(await make());
  return responses;
}

function expectRateLimited(res: request.Response, windowSeconds: number) {
  expect([res.status, res.body.code]).toEqual([429, "RATE_LIMITED"]);
  const retryAfter = Number(res.headers["retry-after"]);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

describe("sign-in lockout policy (memory store)", () => {
  it("stops brute force from one address: the 11th failure for one e-mail is 429, even with the right password", async () => {
    const { app } = await portico();
    const body = newUserBody();
    expect((await request(app).post(REGISTER).set("X-Forwarded-For", "203.0.113.1").send(body)).status).toBe(201);
    const attacker = "203.0.113.66";
    const attempts = await send(login_email_address.limit, () =>
      request(app)
        .post(LOGIN)
        .set("X-Forwarded-For", attacker)
        .send({ email: body.email, password: "wrong password 1" }),
    );
    expect(attempts.map((r) => r.status)).toEqual(Array(login_email_address.limit).fill(401));
    // The same e-mail written differently is the same e-mail; guessing right no longer helps.
    const refused = await request(app)
      .post(LOGIN)
      .set("X-Forwarded-For", attacker)
      .send({ email: `  ${String(body.email).toUpperCase()} `, password: body.password });
    expectRateLimited(refused, login_email_address.windowMs / 1000);
    // The owner, from their own address, is not locked out; another e-mail from the attacker is counted apart.
    const owner = await request(app).post(LOGIN).set("X-Forwarded-For", "203.0.113.1").send(body);
    expect(owner.status).toBe(200);
    const otherEmail = await request(app)
      .post(LOGIN)
      .set("X-Forwarded-For", attacker)
      .send({ email: uniqueEmail(), password: "wrong password 3" });
    expect(otherEmail.status).toBe(401);
  });

  it("counts failures only: successes are free, and a success clears the (e-mail, address) counter", async () => {
    const { app } = await portico();
    const body = newUserBody();
    expect((await request(app).post(REGISTER).send(body)).status).toBe(201);
    const wrong = () => request(app).post(LOGIN).send({ email: body.email, password: "wrong password" });
    const right = () => request(app).post(LOGIN).send(body);
    const statuses = async (n: number, make: () => request.Test) => (await send(n, make)).map((r) => r.status);
    expect(await statuses(login_email_address.limit - 1, wrong)).toEqual(
      Array(login_email_address.limit - 1).fill(401),
    );
    expect(await statuses(12, right)).toEqual(Array(12).fill(200));
    expect(await statuses(login_email_address.limit, wrong)).toEqual(Array(login_email_address.limit).fill(401));
    expectRateLimited(await right(), login_email_address.windowMs / 1000);
  });

  it("does not lock the owner out when wrong passwords come from many addresses at the per-e-mail rate: it slows them down", async () => {
    const { app } = await portico();
    const body = newUserBody();
    expect((await request(app).post(REGISTER).set("X-Forwarded-For", "198.51.100.200").send(body)).status).toBe(201);
    // Below every per-address limit: 9 failures from each of 12 addresses, 108 for the e-mail.
    const spray = (i: number) =>
      request(app)
        .post(LOGIN)
        .set("X-Forwarded-For", `192.0.2.${Math.floor(i / (login_email_address.limit - 1)) + 1}`)
        .send({ email: body.email, password: `wrong password ${i}` });
    const undelayed = await send(
      login_email.limit,
      (() => {
        let i = 0;
        return () => spray(i++);
      })(),
    );
    expect(undelayed.map((r) => r.status)).toEqual(Array(login_email.limit).fill(401));
    const timed = async (make: () => request.Test) => {
      const started = performance.now();
      const res = await make();
      return { status: res.status, ms: performance.now() - started };
    };
    const slowed = [];
    for (let i = login_email.limit; i < login_email.limit + 8; i++) slowed.push(await timed(() => spray(i)));
    expect(slowed.map((r) => r.status)).toEqual(Array(8).fill(401));
    // Progressive: 250 ms more each time, up to the cap.
    expect(slowed[0]?.ms).toBeGreaterThanOrEqual(LOGIN_DELAY.stepMs - 10);
    expect(slowed[3]?.ms).toBeGreaterThanOrEqual(4 * LOGIN_DELAY.stepMs - 10);
    expect(slowed[7]?.ms).toBeLessThan(LOGIN_DELAY.maxMs + 1500);

    const owner = await timed(() => request(app).post(LOGIN).set("X-Forwarded-For", "198.51.100.200").send(body));
    expect(owner.status).toBe(200);
    expect(owner.ms).toBeLessThan(LOGIN_DELAY.maxMs + 1500);
    // The owner's success cleared the e-mail's counter: the next attempt waits no more.
    const after = await timed(() => spray(0));
    expect(after.status).toBe(401);
    expect(after.ms).toBeLessThan(LOGIN_DELAY.stepMs);
  }, 60_000);

  it("counts wrong current passwords at POST /password/change against the caller's (e-mail, address) limit", async () => {
    const { app } = await portico();
    const body = newUserBody();
    const token = (await request(app).post(REGISTER).send(body)).body.token as string;
    const change = (currentPassword: string) =>
      request(app)
        .post("/api/v1/auth/password/change")
        .set("Authorization", `Bearer ${token}`)
        .send({ currentPassword, newPassword: "a new passphrase 9" });
    const attempts = await send(login_email_address.limit, () => change("wrong password"));
    expect(attempts.every((r) => r.status === 403)).toBe(true);
    expectRateLimited(await change(String(body.password)), login_email_address.windowMs / 1000);
    // Another address is another counter.
    expect((await request(app).post(LOGIN).set("X-Forwarded-For", "192.0.2.200").send(body)).status).toBe(200);
  });
});
