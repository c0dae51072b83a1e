import type request from "supertest";
import { expect } from "vitest";
import { totpCodeAt } from "../../src/mfa/totp.js";

const SETUP = "/api/v1/auth/mfa/totp/setup";
export const ENABLE = "/api/v1/auth/mfa/totp/enable";
export const DISABLE = "/api/v1/auth/mfa/totp/disable";
export const PASSKEY_OPTIONS = "/api/v1/auth/passkeys/options";
export const REVOKE_FACTOR = "/api/v1/auth/factors/revoke";
export const STEP_MS = 30_000;

/** A supertest request against one instance. */
type Api = () => ReturnType<typeof request>;

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A code that is not the current one (nor the step before or after). */
export function wrongCode(secret: string): string {
  const near = [-STEP_MS, 0, STEP_MS].map((d) => totpCodeAt(secret, Date.now() + d));
  return ["000000", "111111", "222222", "333333"].find((c) => !near.includes(c)) as string;
}

/** A pending TOTP secret for the caller (POST /mfa/totp/setup). */
export async function setUpTotp(api: Api, token: string): Promise<string> {
  const setup = await api().post(SETUP).set(bearer(token));
  expect(setup.status).toBe(200);
  return setup.body.secret as string;
}

/** Turns TOTP on with the password and a current code; the secret. */
export async function enableTotp(api: Api, token: string, password: string): Promise<string> {
  const secret = await setUpTotp(api, token);
  const res = await api()
    .post(ENABLE)
    .set(bearer(token))
    .send({ code: totpCodeAt(secret, Date.now()), password });
  expect(res.status).toBe(200);
  return secret;
}
