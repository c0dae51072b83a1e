import request from "supertest";
import { describe, expect, it } from "vitest";
import { totpCodeAt } from "../src/mfa/totp.js";
import { issueToken } from "../src/recovery/one-time-tokens.js";
import { TEST_ENGINES } from "./helpers.js";
import { mfaTicket, userWithTotp } from "./support/mfa.js";
import { usePortico } from "./use-portico.js";

const VERIFY = "/api/v1/auth/mfa/verify";
const STEP_MS = 30_000;
const NEW_PASSWORD = "a brand new passphrase";

/**
 * Issue 19, item 8: a sign-in ticket (the mfaToken of POST /login with TOTP on) was made with the
 * password and the factor of its moment. A password reset, a password change and turning TOTP off
 * end every live ticket of the user, in their transaction: the ticket no longer completes, even
 * with a right code.
 */
describe.each(TEST_ENGINES)("sign-in tickets end with the password or the factor on $name", (engine) => {
  const portico = usePortico({ engine });
  const api = () => request(portico.app);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  /** A right code the ticket has not seen: the enabling step is spent, so a later one. */
  const rightCode = (secret: string, steps = 1) => totpCodeAt(secret, Date.now() + steps * STEP_MS);

  function expectEnded(res: request.Response) {
    expect([res.status, res.body.code]).toEqual([401, "INVALID_MFA_CODE"]);
  }

  /** A ticket issued after the change completes with a right code. */
  async function expectFreshTicketWorks(credentials: { email: string; password: string }, secret: string) {
    const fresh = await mfaTicket(portico.app, credentials);
    expect(
      (
        await api()
          .post(VERIFY)
          .send({ mfaToken: fresh, code: rightCode(secret) })
      ).status,
    ).toBe(200);
  }

  it("a password reset ends the ticket issued before it; a ticket issued after works", async () => {
    const { body, userId, secret } = await userWithTotp(portico.app);
    // A verified address: a reset that verifies it first would reclaim the account (TOTP off too).
    await portico.database.kysely
      .updateTable("users")
      .set({ email_verified_at: new Date() })
      .where("id", "=", userId)
      .execute();
    const mfaToken = await mfaTicket(portico.app, body);
    const { token } = await issueToken(portico.database.kysely, {
      userId,
      purpose: "password_reset",
      email: body.email,
      now: new Date(),
      ttlMs: 60_000,
    });
    expect((await api().post("/api/v1/auth/password/reset").send({ token, password: NEW_PASSWORD })).status).toBe(204);
    expectEnded(
      await api()
        .post(VERIFY)
        .send({ mfaToken, code: rightCode(secret) }),
    );
    await expectFreshTicketWorks({ email: body.email, password: NEW_PASSWORD }, secret);
  });

  it("a password change ends the ticket issued before it", async () => {
    const { body, token, secret } = await userWithTotp(portico.app);
    const mfaToken = await mfaTicket(portico.app, body);
    const changed = await api()
      .post("/api/v1/auth/password/change")
      .set(bearer(token))
      .send({ currentPassword: body.password, newPassword: NEW_PASSWORD });
    expect(changed.status).toBe(204);
    expectEnded(
      await api()
        .post(VERIFY)
        .send({ mfaToken, code: rightCode(secret) }),
    );
    await expectFreshTicketWorks({ email: body.email, password: NEW_PASSWORD }, secret);
  });

  it("turning TOTP off ends the ticket issued before it: a code of a factor set up again does not complete it", async () => {
    const { body, token } = await userWithTotp(portico.app);
    const mfaToken = await mfaTicket(portico.app, body);
    const disabled = await api()
      .post("/api/v1/auth/mfa/totp/disable")
      .set(bearer(token))
      .send({ password: body.password });
    expect(disabled.status).toBe(204);
    // TOTP on again, with a new secret: the old ticket must not complete with its codes.
    const setup = await api().post("/api/v1/auth/mfa/totp/setup").set(bearer(token));
    const secret = setup.body.secret as string;
    const enabled = await api()
      .post("/api/v1/auth/mfa/totp/enable")
      .set(bearer(token))
      .send({ code: totpCodeAt(secret, Date.now()), password: body.password });
    expect(enabled.status).toBe(200);
    expectEnded(
      await api()
        .post(VERIFY)
        .send({ mfaToken, code: rightCode(secret) }),
    );
    expectEnded(await api().post(VERIFY).send({ mfaToken, code: enabled.body.recoveryCodes[0] }));
    await expectFreshTicketWorks(body, secret);
  });
});
