import { describe, expect, it } from "vitest";
import type { TestSmtpServer } from "../../src/mail/test-support.js";
import { totpCodeAt } from "../../src/mfa/totp.js";
import { uniqueEmail } from "../helpers.js";
import { linkIn, waitForMail } from "../support/mail.js";
import { accountClient, tokenOf, WRONG } from "./support/account-http.js";
import { CLEARED, NEW_PASSWORD, PASSWORD, SESSION } from "./support/pages.js";
import { useSite } from "./support/sites.js";
import { cookieHeader, setCookies, type WebServer } from "./web-server.js";

describe("/account over HTTP (SPEC §9, §12)", () => {
  let web: WebServer;
  let smtp: TestSmtpServer;
  useSite((site) => {
    ({ web, smtp } = site);
  });
  const { get, api, apiLogin, meStatus, signUp, account } = accountClient(() => web);

  it("change password: a wrong current password (403) and a weak new one (422) show beside their fields; success keeps this session only", async () => {
    const { email, cookie } = await signUp();
    const other = await apiLogin(email);

    const wrong = await account(cookie, {
      action: "change-password",
      currentPassword: "not my password",
      newPassword: NEW_PASSWORD,
    });
    expect(wrong.status).toBe(403);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain("<title>Error: Account settings");
    expect(wrongHtml).toContain(`<a href="#currentPassword">${WRONG}</a>`);
    expect(wrongHtml).toMatch(
      new RegExp(`id="currentPassword-error">\\s*<span class="visually-hidden">Error:</span> ${WRONG}`),
    );
    expect(wrongHtml).not.toContain("not my password");
    expect(wrongHtml).not.toContain(NEW_PASSWORD);

    const weak = await account(cookie, { action: "change-password", currentPassword: PASSWORD, newPassword: "short" });
    expect(weak.status).toBe(422);
    const weakHtml = await weak.text();
    expect(weakHtml).toContain('<a href="#newPassword">Password must be at least 8 characters.</a>');
    expect(weakHtml).toContain('id="newPassword-error"');
    expect(weakHtml).not.toContain('id="currentPassword-error"');

    const missing = await account(cookie, { action: "change-password" });
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain("Please fill in all required fields.");

    const done = await account(cookie, {
      action: "change-password",
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/account?done=password");
    expect(await meStatus(tokenOf(cookie))).toBe(200);
    expect(await meStatus(other)).toBe(401);
    const after = await (await get("/account?done=password", cookie)).text();
    expect(after).toMatch(/<p class="notice" role="status">\s*Your password has been changed\./);
    await apiLogin(email, NEW_PASSWORD);
  });

  it("change email: wrong password 403, bad address 422, taken 409 (also the current one), then 202 → 303 and the notice names the new address once", async () => {
    const { email, cookie } = await signUp();
    const taken = (await signUp()).email;
    const newEmail = uniqueEmail("new");

    const wrong = await account(cookie, { action: "change-email", newEmail, password: "not my password" });
    expect(wrong.status).toBe(403);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain(`<a href="#email-password">${WRONG}</a>`);
    expect(wrongHtml).toContain('id="email-password-error"');
    expect(wrongHtml).toContain(`value="${newEmail}"`);

    const bad = await account(cookie, { action: "change-email", newEmail: "not an address", password: PASSWORD });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain('<a href="#newEmail">Please enter a valid email address.</a>');
    expect(badHtml).toContain('id="newEmail-error"');

    for (const address of [taken, email]) {
      const res = await account(cookie, { action: "change-email", newEmail: address, password: PASSWORD });
      expect(res.status, address).toBe(409);
      const html = await res.text();
      expect(html, address).toContain('<a href="#newEmail">This email is already registered.</a>');
      expect(html, address).toContain('id="newEmail-error"');
    }

    const done = await account(cookie, { action: "change-email", newEmail, password: PASSWORD });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/account?done=email");
    expect(setCookies(done).get("portico_email_sent")).toMatch(/HttpOnly/);
    expect(setCookies(done).get("portico_email_sent")).toMatch(/Path=\/account/);
    const shown = await get("/account?done=email", `${cookie}; ${cookieHeader(done)}`);
    const shownHtml = await shown.text();
    expect(shownHtml).toContain(`We have sent a link to ${newEmail}.`);
    expect(setCookies(shown).get("portico_email_sent")).toMatch(/Expires=Thu, 01 Jan 1970/);
    // The address changes only when the link's button is pressed.
    expect(shownHtml).toContain(`Your email address is <strong>${email}</strong>`);
    linkIn(await waitForMail(smtp, newEmail, /email/i), "/confirm-email");
  });

  it("delete: refused without the tick (nothing deleted) and with a wrong password; with both, the account goes and / says so", async () => {
    const { email, cookie } = await signUp();
    const unticked = await account(cookie, { action: "delete-account", password: PASSWORD });
    expect(unticked.status).toBe(422);
    const untickedHtml = await unticked.text();
    expect(untickedHtml).toContain(
      '<a href="#delete-confirm">Tick the box to confirm that you want to delete your account.</a>',
    );
    expect(untickedHtml).toContain('id="delete-confirm-error"');
    expect(untickedHtml).toMatch(/id="delete-confirm"[^>]*aria-invalid="true" aria-describedby="delete-confirm-error"/);
    await apiLogin(email);

    const wrong = await account(cookie, { action: "delete-account", password: "not my password", confirm: "yes" });
    expect(wrong.status).toBe(403);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain(`<a href="#delete-password">${WRONG}</a>`);
    expect(wrongHtml).toContain('id="delete-password-error"');
    await apiLogin(email);

    const done = await account(cookie, { action: "delete-account", password: PASSWORD, confirm: "yes" });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/?deleted=1");
    expect(setCookies(done).get(SESSION)).toMatch(CLEARED);
    expect((await api("login", { body: { email, password: PASSWORD } })).status).toBe(401);
    expect(await (await get("/?deleted=1")).text()).toMatch(/role="status">\s*Your account has been deleted\./);
    expect(await (await get("/")).text()).not.toContain("Your account has been deleted.");
  });

  it("two-factor: off with a link to set it up; on with the codes left, turned off only with the right password", async () => {
    const { email, cookie } = await signUp();
    const token = tokenOf(cookie);
    expect(await (await get("/account", cookie)).text()).toContain("Set up two-factor authentication");
    const { secret } = (await (await api("mfa/totp/setup", { token, body: {} })).json()) as { secret: string };
    const enabled = await api("mfa/totp/enable", {
      token,
      body: { code: totpCodeAt(secret, Date.now()), password: PASSWORD },
    });
    expect(enabled.status).toBe(200);

    const on = await (await get("/account", cookie)).text();
    expect(on).toContain('<span class="tag tag--done">On</span>');
    expect(on).toContain("10 recovery codes");
    expect(on).toMatch(/<input[^>]*id="totp-password"[^>]*name="password"/);

    const wrong = await account(cookie, { action: "totp-disable", password: "not my password" });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain(`<a href="#totp-password">${WRONG}</a>`);
    expect(((await (await api("mfa", { token })).json()) as { totp: boolean }).totp).toBe(true);

    const off = await account(cookie, { action: "totp-disable", password: PASSWORD });
    expect(off.status).toBe(303);
    expect(off.headers.get("location")).toBe("/account?done=totp-off");
    expect(((await (await api("mfa", { token })).json()) as { totp: boolean }).totp).toBe(false);
    expect(await (await get("/account?done=totp-off", cookie)).text()).toContain("Two-factor authentication is off.");
    await apiLogin(email); // a plain password log-in again
  });
});
