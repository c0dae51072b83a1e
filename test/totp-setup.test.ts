import { sql } from "kysely";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { newUserBody, TEST_ENGINES } from "./helpers.js";
import { usePortico } from "./use-portico.js";

/**
 * Issue 19, item 13: asking for a TOTP secret again (a reload of /account/two-factor, a second
 * tab) must not void the key the user may have scanned already.
 */
describe.each(TEST_ENGINES)("TOTP setup keeps this session's pending secret on $name", (engine) => {
  const portico = usePortico({ engine });
  const api = () => request(portico.app);
  const SETUP = "/api/v1/auth/mfa/totp/setup";

  async function signedIn() {
    const body = newUserBody();
    const reg = await api().post("/api/v1/auth/register").send(body);
    const login = await api().post("/api/v1/auth/login").send({ email: body.email, password: body.password });
    return { token: reg.body.token as string, other: login.body.token as string, userId: reg.body.user.id as string };
  }
  const setup = async (token: string) => {
    const res = await api().post(SETUP).set("Authorization", `Bearer ${token}`);
    expect(res.status).toBe(200);
    return res.body as { secret: string; otpauthUrl: string };
  };

  it("gives the same session the same secret again, and another session a new one", async () => {
    const { token, other } = await signedIn();
    const first = await setup(token);
    const again = await setup(token);
    expect(again).toEqual(first);
    const fromOther = await setup(other);
    expect(fromOther.secret).not.toBe(first.secret);
    // The other session's secret replaced it: the first session now gets a new one too.
    expect((await setup(token)).secret).not.toBe(first.secret);
  });

  it("gives a new secret once the pending one is 15 minutes old", async () => {
    const { token, userId } = await signedIn();
    const first = await setup(token);
    await portico.database.kysely
      .updateTable("mfa_totp")
      .set({ created_at: sql<Date>`now() - interval '15 minutes 1 second'` })
      .where("user_id", "=", userId)
      .execute();
    expect((await setup(token)).secret).not.toBe(first.secret);
  });

  it("gives one secret to a burst of concurrent requests from one session (two tabs opened at once)", async () => {
    const { token } = await signedIn();
    const answers = await Promise.all(Array.from({ length: 8 }, () => setup(token)));
    expect(new Set(answers.map((a) => a.secret)).size).toBe(1);
  });
});
