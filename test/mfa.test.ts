import { sql } from "kysely";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { totpCodeAt } from "../src/mfa/totp.js";
import { issueToken } from "../src/recovery/one-time-tokens.js";
import { newUserBody, TEST_ENGINES } from "./helpers.js";
import { usePortico } from "./use-portico.js";

const REGISTER = "/api/v1/auth/register";
const LOGIN = "/api/v1/auth/login";
const ME = "/api/v1/auth/me";
const SETUP = "/api/v1/auth/mfa/totp/setup";
const ENABLE = "/api/v1/auth/mfa/totp/enable";
const DISABLE = "/api/v1/auth/mfa/totp/disable";
const VERIFY = "/api/v1/auth/mfa/verify";
const STEP_MS = 30_000;

describe.each(TEST_ENGINES)("second factor: TOTP and recovery codes (SPEC §11) on $name", (engine) => {
  const portico = usePortico({ engine });
  const api = () => request(portico.app);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  function expectInvalidCode(res: request.Response) {
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: "INVALID_MFA_CODE", message: "Invalid authentication code" });
  }

  /** A user with TOTP on: their secret, recovery codes, the session that enabled it, the password. */
  async function userWithTotp() {
    const body = newUserBody();
    const reg = await api().post(REGISTER).send(body);
    const other = await api().post(LOGIN).send({ email: body.email, password: body.password });
    const token = reg.body.token as string;
    const setup = await api().post(SETUP).set(bearer(token));
    expect(setup.status).toBe(200);
    const secret = setup.body.secret as string;
    const enabled = await api()
      .post(ENABLE)
      .set(bearer(token))
      .send({ code: totpCodeAt(secret, Date.now()), password: body.password });
    expect(enabled.status).toBe(200);
    return {
      body,
      token,
      other: other.body.token as string,
      secret,
      recoveryCodes: enabled.body.recoveryCodes as string[],
    };
  }

  const ticket = async (body: { email: string; password: string }) => {
    const res = await api().post(LOGIN).send({ email: body.email, password: body.password });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["mfaRequired", "mfaToken"]);
    expect(res.body.mfaRequired).toBe(true);
    return res.body.mfaToken as string;
  };

  it("setup gives a secret and an otpauth URI; enabling needs a right code; ten recovery codes once; other sessions end", async () => {
    const body = newUserBody();
    const token = (await api().post(REGISTER).send(body)).body.token as string;
    const other = (await api().post(LOGIN).send(body)).body.token as string;
    expect((await api().get("/api/v1/auth/mfa").set(bearer(token))).body).toEqual({
      totp: false,
      recoveryCodesLeft: 0,
    });
    const setup = await api().post(SETUP).set(bearer(token));
    expect(setup.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Portico:.+\?.*secret=[A-Z2-7]+/);
    const secret = setup.body.secret as string;
    expectInvalidCode(
      await api()
        .post(ENABLE)
        .set(bearer(token))
        .send({ code: "000000" === totpCodeAt(secret, Date.now()) ? "111111" : "000000", password: body.password }),
    );
    expect((await api().post(ENABLE).set(bearer(token)).send({})).status).toBe(422);
    const enabled = await api()
      .post(ENABLE)
      .set(bearer(token))
      .send({ code: totpCodeAt(secret, Date.now()), password: body.password });
    expect(enabled.status).toBe(200);
    const codes = enabled.body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    expect((await api().get(ME).set(bearer(token))).status).toBe(200);
    expect((await api().get(ME).set(bearer(other))).status).toBe(401);
    expect((await api().post(SETUP).set(bearer(token))).body.code).toBe("MFA_ALREADY_ENABLED");
    expect((await api().get("/api/v1/auth/mfa").set(bearer(token))).body).toEqual({
      totp: true,
      recoveryCodesLeft: 10,
    });
    // Stored encrypted, codes hashed.
    const row = await portico.database.kysely.selectFrom("mfa_totp").selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(secret);
    const hashes = await portico.database.kysely.selectFrom("mfa_recovery_codes").select("code_hash").execute();
    expect(JSON.stringify(hashes)).not.toContain(codes[0]?.replace("-", ""));
  });

  it("sign-in: the password gives a ticket and no session; a right code gives the session; a replayed code is refused", async () => {
    const { body, secret } = await userWithTotp();
    const mfaToken = await ticket(body);
    expectInvalidCode(await api().post(VERIFY).send({ mfaToken, code: "12345" }));
    // The step used to enable is spent: its code is refused, the next step's is accepted.
    expectInvalidCode(
      await api()
        .post(VERIFY)
        .send({ mfaToken, code: totpCodeAt(secret, Date.now()) }),
    );
    const next = totpCodeAt(secret, Date.now() + STEP_MS);
    const res = await api().post(VERIFY).send({ mfaToken, code: next });
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe(body.email);
    expect((await api().get(ME).set(bearer(res.body.token))).status).toBe(200);
    // The ticket is used up, and the same code (same step) does not work twice.
    expectInvalidCode(await api().post(VERIFY).send({ mfaToken, code: next }));
    expectInvalidCode(
      await api()
        .post(VERIFY)
        .send({ mfaToken: await ticket(body), code: next }),
    );
  });

  it("a recovery code works once, in any case, dashes or not", async () => {
    const { body, recoveryCodes } = await userWithTotp();
    const code = recoveryCodes[3] as string;
    const res = await api()
      .post(VERIFY)
      .send({ mfaToken: await ticket(body), code: code.toUpperCase().replace("-", "") });
    expect(res.status).toBe(200);
    expectInvalidCode(
      await api()
        .post(VERIFY)
        .send({ mfaToken: await ticket(body), code }),
    );
    expect(
      (
        await api()
          .post(VERIFY)
          .send({ mfaToken: await ticket(body), code: ` ${recoveryCodes[4]} ` })
      ).status,
    ).toBe(200);
  });

  it("a ticket allows 5 failures: the 6th try fails even with a right code; unknown and expired tickets fail", async () => {
    const { body, recoveryCodes } = await userWithTotp();
    const mfaToken = await ticket(body);
    for (let i = 0; i < 5; i++) expectInvalidCode(await api().post(VERIFY).send({ mfaToken, code: "aaaaa-aaaaa" }));
    expectInvalidCode(await api().post(VERIFY).send({ mfaToken, code: recoveryCodes[0] }));
    expectInvalidCode(await api().post(VERIFY).send({ mfaToken: "no-such-ticket", code: recoveryCodes[0] }));
    const expired = await ticket(body);
    await sql`update mfa_tickets set expires_at = now() - interval '1 second'`.execute(portico.database.kysely);
    expectInvalidCode(await api().post(VERIFY).send({ mfaToken: expired, code: recoveryCodes[0] }));
    // The recovery code was never used: it still works with a live ticket.
    expect(
      (
        await api()
          .post(VERIFY)
          .send({ mfaToken: await ticket(body), code: recoveryCodes[0] })
      ).status,
    ).toBe(200);
  });

  it("a verified account's password reset keeps the second factor on; disabling needs the password", async () => {
    const { body, token } = await userWithTotp();
    // Verified: a reset that verifies an address for the first time reclaims it (test/reclaim.test.ts).
    const row = await portico.database.kysely
      .updateTable("users")
      .set({ email_verified_at: new Date() })
      .where("email", "=", body.email)
      .returningAll()
      .executeTakeFirstOrThrow();
    const { token: resetToken } = await issueToken(portico.database.kysely, {
      userId: row.id,
      purpose: "password_reset",
      email: row.email,
      now: new Date(),
      ttlMs: 60_000,
    });
    const password = "a brand new passphrase";
    expect((await api().post("/api/v1/auth/password/reset").send({ token: resetToken, password })).status).toBe(204);
    await ticket({ email: body.email, password });

    const fresh = await api()
      .post(VERIFY)
      .send({ mfaToken: await ticket({ email: body.email, password }), code: "x" });
    expectInvalidCode(fresh);
    expect((await api().get(ME).set(bearer(token))).status).toBe(401); // the reset ended it
  });

  it("disable: 403 for a wrong password, then 204, and sign-in needs the password only", async () => {
    const { body, token } = await userWithTotp();
    const wrong = await api().post(DISABLE).set(bearer(token)).send({ password: "not the password" });
    expect([wrong.status, wrong.body.code]).toEqual([403, "WRONG_PASSWORD"]);
    expect((await api().post(DISABLE).set(bearer(token)).send({ password: body.password })).status).toBe(204);
    const login = await api().post(LOGIN).send({ email: body.email, password: body.password });
    expect(login.status).toBe(200);
    expect(typeof login.body.token).toBe("string");
    const events = (await api().get("/api/v1/auth/events").set(bearer(token))).body.events.map(
      (e: { type: string }) => e.type,
    );
    expect(events.slice(0, 3)).toEqual(["login.succeeded", "mfa.disabled", "mfa.enabled"]);
  });

  it("wrong codes are recorded as mfa.failed", async () => {
    const { body, token } = await userWithTotp();
    expectInvalidCode(
      await api()
        .post(VERIFY)
        .send({ mfaToken: await ticket(body), code: "000000" }),
    );
    const events = (await api().get("/api/v1/auth/events").set(bearer(token))).body.events.map(
      (e: { type: string }) => e.type,
    );
    expect(events[0]).toBe("mfa.failed");
  });
});

describe.each(TEST_ENGINES)("second factor with limits and required verification on $name", (engine) => {
  const instances = usePortico({ engine, shared: false });

  it("EMAIL_NOT_VERIFIED comes before the second factor; wrong codes are limited per account", async () => {
    const portico = await instances.open({ EMAIL_VERIFICATION: "required", RATE_LIMIT: "on" });
    const api = () => request(portico.app);
    const body = newUserBody();
    await api().post(REGISTER).send(body);
    const db = portico.database.kysely;
    await db.updateTable("users").set({ email_verified_at: new Date() }).where("email", "=", body.email).execute();
    const token = (await api().post(LOGIN).send(body)).body.token as string;
    const secret = (await api().post(SETUP).set("Authorization", `Bearer ${token}`)).body.secret as string;
    await api()
      .post(ENABLE)
      .set("Authorization", `Bearer ${token}`)
      .send({ code: totpCodeAt(secret, Date.now()), password: body.password });

    // Two tickets' worth of failures (5 each), then a third ticket: the account is limited.
    const failures = [];
    for (let t = 0; t < 3; t++) {
      const mfaToken = (await api().post(LOGIN).send(body)).body.mfaToken as string;
      for (let i = 0; i < (t < 2 ? 5 : 1); i++) {
        failures.push((await api().post(VERIFY).send({ mfaToken, code: "aaaaa-aaaaa" })).status);
      }
    }
    expect(failures).toEqual([...Array(10).fill(401), 429]);

    await db.updateTable("users").set({ email_verified_at: null }).where("email", "=", body.email).execute();
    const res = await api().post(LOGIN).send(body);
    expect([res.status, res.body.code]).toEqual([403, "EMAIL_NOT_VERIFIED"]);
  });
});
