import type { Page } from "playwright-core";
import { expect } from "vitest";
import { totpCodeAt } from "../../../src/mfa/totp.js";
import { uniqueEmail } from "../../helpers.js";
import { fillRegistration } from "../browser.js";
import { press } from "./browser-steps.js";
import { PASSWORD } from "./pages.js";

/** Signs up in the page: it ends on the dashboard, signed in. */
export async function signUp(page: Page, email = uniqueEmail("account")): Promise<string> {
  await page.goto("/register");
  await fillRegistration(page, { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
  await Promise.all([page.waitForURL("**/dashboard"), page.getByRole("button", { name: "Sign up" }).click()]);
  return email;
}

/** /login's first step, with PASSWORD: the dashboard, or the code step when TOTP is on. */
export async function passwordStep(page: Page, email: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await press(page, "Log in");
}

/** The API of the server at `url()`, for what a test sets up beside the browser. */
export function accountApi(url: () => string) {
  async function api(path: string, body: object, token?: string): Promise<Response> {
    return fetch(`${url()}/api/v1/auth/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });
  }

  /** Another session of the user, from the API (an "other device"). */
  async function otherSession(email: string, password = PASSWORD): Promise<string> {
    const res = await api("login", { email, password });
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  }

  /** A user with TOTP on, made through the API: the address and the secret. */
  async function userWithTotp(email = uniqueEmail("totp")): Promise<{ email: string; secret: string }> {
    const reg = await api("register", { email, password: PASSWORD, firstName: "Ada", lastName: "Lovelace" });
    const { token } = (await reg.json()) as { token: string };
    const { secret } = (await (await api("mfa/totp/setup", {}, token)).json()) as { secret: string };
    expect(
      (await api("mfa/totp/enable", { code: totpCodeAt(secret, Date.now()), password: PASSWORD }, token)).status,
    ).toBe(200);
    return { email, secret };
  }
  return { otherSession, userWithTotp };
}
