import request from "supertest";
import { describe, expect, it } from "vitest";
import { PASSKEY_OPTIONS_LIMIT } from "../src/passkeys/passkeys.routes.js";
import { newUserBody } from "./helpers.js";
import { expectRateLimited, sendInOrder } from "./support/rate-limits.js";
import { usePortico } from "./use-portico.js";

/** Issue 19, item 14: each registration-options call stores a challenge; a session alone must not fill the table. */
describe("POST /passkeys/options is limited per user", () => {
  const portico = usePortico({ env: { RATE_LIMIT: "on" } });

  it(`answers 429 RATE_LIMITED after ${PASSKEY_OPTIONS_LIMIT.limit} in 5 minutes, for every session of the user`, async () => {
    const body = newUserBody();
    const reg = await request(portico.app).post("/api/v1/auth/register").send(body);
    const login = await request(portico.app)
      .post("/api/v1/auth/login")
      .send({ email: body.email, password: body.password });
    const options = (token: string) =>
      request(portico.app)
        .post("/api/v1/auth/passkeys/options")
        .set("Authorization", `Bearer ${token}`)
        .send({ password: body.password });
    const first = await sendInOrder(PASSKEY_OPTIONS_LIMIT.limit, () => options(reg.body.token));
    expect(first.map((r) => r.status)).toEqual(Array(PASSKEY_OPTIONS_LIMIT.limit).fill(200));
    expectRateLimited(await options(reg.body.token), PASSKEY_OPTIONS_LIMIT.windowMs / 1000);
    // Another session of the same user shares the count; another user does not.
    expectRateLimited(await options(login.body.token), PASSKEY_OPTIONS_LIMIT.windowMs / 1000);
    const other = await request(portico.app).post("/api/v1/auth/register").send(newUserBody());
    expect((await options(other.body.token)).status).toBe(200);
  });
});
