import request from "supertest";
import { describe, expect, it } from "vitest";
import { totpCodeAt } from "../src/mfa/totp.js";
import { newUserBody, TEST_ENGINES } from "./helpers.js";
import { bearer, ENABLE, enableTotp, PASSKEY_OPTIONS, STEP_MS, setUpTotp, wrongCode } from "./support/factors.js";
import { usePortico } from "./use-portico.js";

/**
 * Issue 19, item 1 (SPEC §20): a session alone never binds a new authenticator. Turning TOTP on
 * and starting a passkey need the current password; with TOTP on, a passkey needs a current code.
 */
describe.each(TEST_ENGINES)("binding a new authenticator needs the password (SPEC §20) on $name", (engine) => {
  const portico = usePortico({ engine });
  const api = () => request(portico.app);

  async function signedIn() {
    const body = newUserBody();
    const res = await api().post("/api/v1/auth/register").send(body);
    expect(res.status).toBe(201);
    return { token: res.body.token as string, password: body.password };
  }

  const totpIsOn = async (token: string) => (await api().get("/api/v1/auth/mfa").set(bearer(token))).body.totp;

  it("TOTP: a stolen session with a right code but no password, or a wrong one, cannot turn it on", async () => {
    const { token, password } = await signedIn();
    const secret = await setUpTotp(api, token);
    const code = totpCodeAt(secret, Date.now());
    const missing = await api().post(ENABLE).set(bearer(token)).send({ code });
    expect(missing.status).toBe(422);
    expect(missing.body.details).toEqual([expect.objectContaining({ field: "password", code: "MISSING_FIELDS" })]);
    const wrong = await api().post(ENABLE).set(bearer(token)).send({ code, password: "not the password" });
    expect([wrong.status, wrong.body.code, wrong.body.message]).toEqual([
      403,
      "WRONG_PASSWORD",
      "Current password is incorrect",
    ]);
    expect(await totpIsOn(token)).toBe(false);
    // The password is checked before the code: a wrong password with a wrong code is 403, not 401.
    const both = await api()
      .post(ENABLE)
      .set(bearer(token))
      .send({ code: wrongCode(secret), password: "nope" });
    expect(both.status).toBe(403);
    const right = await api().post(ENABLE).set(bearer(token)).send({ code, password });
    expect(right.status).toBe(200);
    expect(await totpIsOn(token)).toBe(true);
  });

  it("passkeys: options need the password (422 without, 403 wrong); no challenge is stored for a refusal", async () => {
    const { token, password } = await signedIn();
    const challenges = async () =>
      (await portico.database.kysely.selectFrom("webauthn_challenges").select("id").execute()).length;
    const before = await challenges();
    const bare = await api().post(PASSKEY_OPTIONS).set(bearer(token));
    expect(bare.status).toBe(422);
    expect(bare.body.details).toEqual([expect.objectContaining({ field: "password", code: "MISSING_FIELDS" })]);
    const wrong = await api().post(PASSKEY_OPTIONS).set(bearer(token)).send({ password: "not the password" });
    expect([wrong.status, wrong.body.code]).toEqual([403, "WRONG_PASSWORD"]);
    expect(await challenges()).toBe(before);
    const right = await api().post(PASSKEY_OPTIONS).set(bearer(token)).send({ password });
    expect(right.status).toBe(200);
    expect(typeof right.body.options.challenge).toBe("string");
  });

  it("passkeys with TOTP on: a current code as well (401 INVALID_MFA_CODE missing, wrong or replayed)", async () => {
    const { token, password } = await signedIn();
    const secret = await enableTotp(api, token, password);
    const options = (body: object) => api().post(PASSKEY_OPTIONS).set(bearer(token)).send(body);
    const expectInvalidCode = (res: request.Response) =>
      expect([res.status, res.body.code]).toEqual([401, "INVALID_MFA_CODE"]);
    expectInvalidCode(await options({ password }));
    expectInvalidCode(await options({ password, code: wrongCode(secret) }));
    // The step that enabled TOTP is spent; the next one is accepted once.
    expectInvalidCode(await options({ password, code: totpCodeAt(secret, Date.now()) }));
    const next = totpCodeAt(secret, Date.now() + STEP_MS);
    expect((await options({ password: "not the password", code: next })).status).toBe(403);
    expect((await options({ password, code: next })).status).toBe(200);
    expectInvalidCode(await options({ password, code: next }));
    const failed = await api().get("/api/v1/auth/events").set(bearer(token));
    expect(failed.body.events.filter((e: { type: string }) => e.type === "mfa.failed").length).toBeGreaterThan(0);
  });
});
