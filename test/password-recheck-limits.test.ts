import request from "supertest";
import { describe, expect, it } from "vitest";
import { RATE_LIMIT_POLICIES } from "../src/auth/auth.limits.js";
import { totpCodeAt } from "../src/mfa/totp.js";
import { newUserBody, uniqueEmail } from "./helpers.js";
import { bearer, DISABLE, ENABLE, enableTotp, PASSKEY_OPTIONS, setUpTotp } from "./support/factors.js";
import { expectRateLimited, sendInOrder } from "./support/rate-limits.js";
import { usePortico } from "./use-portico.js";

/**
 * Issue 19, item 4 (SPEC §20 "Every re-entered password counts"): one counted check wherever a
 * signed-in caller re-enters the password. Wrong passwords count as failed logins of the caller's
 * e-mail from that address (10 per 15 minutes); over the limit every such endpoint, and /login,
 * answers 429, the right password included.
 */

const { login_email_address: limit } = RATE_LIMIT_POLICIES;
const WINDOW_S = limit.windowMs / 1000;

type App = Parameters<typeof request>[0];

interface Caller {
  app: App;
  token: string;
  email: string;
  password: string;
}

/** Each endpoint that re-enters a password: the request with `password`, after any set-up it needs. */
const ENDPOINTS: Record<string, (c: Caller) => Promise<(password: string) => request.Test>> = {
  "POST /password/change":
    async ({ app, token }) =>
    (password) =>
      request(app)
        .post("/api/v1/auth/password/change")
        .set(bearer(token))
        .send({ currentPassword: password, newPassword: "a brand new passphrase 9" }),
  "POST /email/change":
    async ({ app, token }) =>
    (password) =>
      request(app).post("/api/v1/auth/email/change").set(bearer(token)).send({ newEmail: uniqueEmail(), password }),
  "DELETE /me":
    async ({ app, token }) =>
    (password) =>
      request(app).delete("/api/v1/auth/me").set(bearer(token)).send({ password }),
  "POST /mfa/totp/disable": async ({ app, token, password: right }) => {
    await enableTotp(() => request(app), token, right);
    return (password) => request(app).post(DISABLE).set(bearer(token)).send({ password });
  },
  "POST /mfa/totp/enable": async ({ app, token }) => {
    const secret = await setUpTotp(() => request(app), token);
    return (password) =>
      request(app)
        .post(ENABLE)
        .set(bearer(token))
        .send({ code: totpCodeAt(secret, Date.now()), password });
  },
  "POST /passkeys/options":
    async ({ app, token }) =>
    (password) =>
      request(app).post(PASSKEY_OPTIONS).set(bearer(token)).send({ password }),
};

describe("every re-entered password counts toward the sign-in limit (memory store)", () => {
  // One instance: the counters are per (e-mail, address), and each test signs up its own caller.
  const portico = usePortico({ env: { RATE_LIMIT: "on" } });

  async function caller(app: App): Promise<Caller> {
    const body = newUserBody();
    const res = await request(app).post("/api/v1/auth/register").send(body);
    expect(res.status).toBe(201);
    return { app, token: res.body.token as string, email: body.email, password: body.password };
  }

  it.each(Object.keys(ENDPOINTS))(
    "%s: wrong passwords reach 429, then the right one is refused too",
    async (name) => {
      const { app } = portico;
      const c = await caller(app);
      const send = await (ENDPOINTS[name] as (typeof ENDPOINTS)[string])(c);
      const wrong = await sendInOrder(limit.limit, () => send("not the password"));
      expect(wrong.map((r) => [r.status, r.body.code])).toEqual(Array(limit.limit).fill([403, "WRONG_PASSWORD"]));
      expectRateLimited(await send(c.password), WINDOW_S);
    },
    60_000,
  );

  it("after the limit at one endpoint, every other one (and /login) refuses the right password", async () => {
    const { app } = portico;
    const c = await caller(app);
    await enableTotp(() => request(app), c.token, c.password);
    const change = await ENDPOINTS["POST /password/change"]?.(c);
    const wrong = await sendInOrder(limit.limit, () => (change as (p: string) => request.Test)("not the password"));
    expect(wrong.every((r) => r.status === 403)).toBe(true);
    for (const name of ["POST /email/change", "DELETE /me", "POST /mfa/totp/disable", "POST /passkeys/options"]) {
      const endpoint = name === "POST /mfa/totp/disable" ? DISABLE_ONLY(c) : await ENDPOINTS[name]?.(c);
      expectRateLimited(await (endpoint as (p: string) => request.Test)(c.password), WINDOW_S);
    }
    const login = await request(app).post("/api/v1/auth/login").send({ email: c.email, password: c.password });
    expectRateLimited(login, WINDOW_S);
    // Nothing happened: the account, its address and its second factor are as they were.
    expect((await request(app).get("/api/v1/auth/me").set(bearer(c.token))).body.user.email).toBe(c.email);
    expect((await request(app).get("/api/v1/auth/mfa").set(bearer(c.token))).body.totp).toBe(true);
  }, 60_000);

  it("failed logins count against the re-entered password too", async () => {
    const { app } = portico;
    const c = await caller(app);
    const logins = await sendInOrder(limit.limit, () =>
      request(app).post("/api/v1/auth/login").send({ email: c.email, password: "not the password" }),
    );
    expect(logins.every((r) => r.status === 401)).toBe(true);
    const emailChange = await ENDPOINTS["POST /email/change"]?.(c);
    expectRateLimited(await (emailChange as (p: string) => request.Test)(c.password), WINDOW_S);
  }, 60_000);
});

/** TOTP disable on an account whose TOTP is already on (no set-up). */
const DISABLE_ONLY =
  ({ app, token }: Caller) =>
  (password: string) =>
    request(app).post(DISABLE).set(bearer(token)).send({ password });
