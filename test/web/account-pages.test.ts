import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSmtpServer, type TestSmtpServer } from "../../src/mail/test-support.js";
import { totpCodeAt } from "../../src/mfa/totp.js";
import { uniqueEmail } from "../helpers.js";
import { linkIn, waitForMail } from "../support/mail.js";
import { cookieHeader, type PostInit, postForm, setCookies, startWebServer, type WebServer } from "./web-server.js";

const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a brand new passphrase";
const SESSION = "portico_session";
const WRONG = "Current password is incorrect.";
const CLEARED = /^portico_session=deleted;.*Expires=Thu, 01 Jan 1970/;

/** Requests to one web server, as a browser makes them (HTML, no redirects followed), and to its API. */
function client(web: () => WebServer) {
  const get = (path: string, cookie?: string) =>
    fetch(`${web().url}${path}`, {
      redirect: "manual",
      headers: { accept: "text/html", ...(cookie && { cookie }) },
    });
  const post = (path: string, fields: Record<string, string>, init: PostInit = {}) =>
    postForm(web().url, path, fields, init);
  const api = (path: string, init: { method?: string; token?: string; body?: object } = {}) =>
    fetch(`${web().url}/api/v1/auth/${path}`, {
      method: init.method ?? (init.body ? "POST" : "GET"),
      headers: {
        ...(init.body && { "content-type": "application/json" }),
        ...(init.token && { authorization: `Bearer ${init.token}` }),
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
      },
      ...(init.body && { body: JSON.stringify(init.body) }),
    });
  /** A second session of the user, straight from the API: its token. */
  const apiLogin = async (email: string, password = PASSWORD): Promise<string> => {
    const res = await api("login", { body: { email, password } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  };
  const meStatus = async (token: string) => (await api("me", { token })).status;
  return { get, post, api, apiLogin, meStatus };
}

const tokenOf = (cookie: string) => /portico_session=([^;]+)/.exec(cookie)?.[1] ?? "";

describe("/account over HTTP (SPEC §9, §12)", () => {
  let web: WebServer;
  let smtp: TestSmtpServer;
  const { get, post, api, apiLogin, meStatus } = client(() => web);

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    web = await startWebServer({ SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    await web?.close();
    await smtp?.close();
  });

  /** Signs up through the form: the address and the session cookie. */
  async function signUp(email = uniqueEmail("account")) {
    const res = await post("/register", { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
    expect(res.status).toBe(303);
    return { email, cookie: cookieHeader(res) };
  }

  /** Posts one of /account's forms with this browser's cookie. */
  const account = (cookie: string, fields: Record<string, string>, init: PostInit = {}) =>
    post("/account", fields, { cookie, ...init });

  it("sends a signed-out visitor, or one with a dead cookie, to /login", async () => {
    const res = await get("/account");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login?next=/account");
    const dead = await get("/account", `${SESSION}=not-a-jwt`);
    expect(dead.headers.get("location")).toBe("/login?next=/account");
    expect(setCookies(dead).get(SESSION)).toMatch(CLEARED);
    const posted = await post("/account", { action: "sign-out-others" }, { cookie: `${SESSION}=not-a-jwt` });
    expect(posted.status).toBe(303);
    expect(posted.headers.get("location")).toBe("/login?next=/account");
  });

  it("shows every section, each form posting to /account with its action; the dashboard links here", async () => {
    const { email, cookie } = await signUp();
    expect(await (await get("/dashboard", cookie)).text()).toContain('<a href="/account">Account settings</a>');
    const res = await get("/account", cookie);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const title of [
      "Change password",
      "Change email address",
      "Sessions",
      "Recent security activity",
      "Two-factor authentication",
      "Delete account",
    ]) {
      expect(html).toMatch(new RegExp(`<h2 id="[a-z-]+-title">${title}</h2>`));
    }
    for (const action of ["change-password", "change-email", "sign-out-session", "delete-account"]) {
      expect(html).toMatch(
        new RegExp(
          `<form method="post" action="/account"[^>]*>\\s*<input type="hidden" name="action" value="${action}">`,
        ),
      );
    }
    expect(html).toContain(
      `<input type="email" name="username" value="${email}" autocomplete="username" readonly hidden>`,
    );
    expect(html).toMatch(
      /<input[^>]*id="currentPassword"[^>]*name="currentPassword"[^>]*autocomplete="current-password"/,
    );
    expect(html).toMatch(/<input[^>]*id="newPassword"[^>]*name="newPassword"[^>]*autocomplete="new-password"/);
    expect(html).toMatch(/<input[^>]*id="newEmail"[^>]*name="newEmail"[^>]*type="email"/);
    expect(html).toMatch(/<input[^>]*id="email-password"[^>]*name="password"/);
    expect(html).toMatch(/<input[^>]*id="delete-password"[^>]*name="password"/);
    expect(html).toMatch(/<input type="checkbox" id="delete-confirm" name="confirm" value="yes" required/);
    expect(html).toContain('<span class="tag tag--done">This device</span>');
    expect(html).toContain("Account created");
    expect(html).toContain('href="/account/two-factor"');
    // One session only: nothing else to sign out of.
    expect(html).not.toContain("Log out of all other sessions");
  });

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

  it("sessions: lists them with this device marked; signs out one, then all the others; this device's own is a logout", async () => {
    const { email, cookie } = await signUp();
    const [a, b, c] = [await apiLogin(email), await apiLogin(email), await apiLogin(email)];
    const sessions = async () =>
      (
        (await (await api("sessions", { token: tokenOf(cookie) })).json()) as {
          sessions: { id: string; current: boolean }[];
        }
      ).sessions;
    const list = await sessions();
    expect(list).toHaveLength(4);
    const html = await (await get("/account", cookie)).text();
    expect(html.match(/name="action" value="sign-out-session"/g)).toHaveLength(4);
    expect(html.match(/>This device</g)).toHaveLength(1);
    expect(html).toContain("Firefox on Linux");
    expect(html).toContain("Log out of all other sessions");

    const idOfA = (await (await api("sessions", { token: a })).json()) as {
      sessions: { id: string; current: boolean }[];
    };
    const aId = idOfA.sessions.find((s) => s.current)?.id ?? "";
    const one = await account(cookie, { action: "sign-out-session", sessionId: aId });
    expect(one.status).toBe(303);
    expect(one.headers.get("location")).toBe("/account?done=session");
    expect(await meStatus(a)).toBe(401);
    expect(await meStatus(b)).toBe(200);
    expect(await (await get("/account?done=session", cookie)).text()).toContain("That session has been logged out.");

    const again = await account(cookie, { action: "sign-out-session", sessionId: aId });
    expect(again.status).toBe(404);
    expect(await again.text()).toContain("That session has already ended.");

    const others = await account(cookie, { action: "sign-out-others" });
    expect(others.status).toBe(303);
    expect(others.headers.get("location")).toBe("/account?done=others");
    expect([await meStatus(b), await meStatus(c), await meStatus(tokenOf(cookie))]).toEqual([401, 401, 200]);
    expect(await sessions()).toHaveLength(1);

    const ownId = (await sessions())[0]?.id ?? "";
    const own = await account(cookie, { action: "sign-out-session", sessionId: ownId });
    expect(own.status).toBe(303);
    expect(own.headers.get("location")).toBe("/");
    expect(setCookies(own).get(SESSION)).toMatch(CLEARED);
    expect(await meStatus(tokenOf(cookie))).toBe(401);
  });

  it("names the browser's device, not the web server's, for a session made through /login", async () => {
    const { email } = await signUp();
    const safari =
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    const login = await post("/login", { email, password: PASSWORD }, { headers: { "user-agent": safari } });
    expect(login.status).toBe(303);
    const html = await (await get("/account", cookieHeader(login))).text();
    expect(html).toMatch(/Safari on iPhone\s*<span class="tag tag--done">This device<\/span>/);
  });

  it("recent security activity: the events in plain words", async () => {
    const { email, cookie } = await signUp();
    expect((await api("login", { body: { email, password: "wrong password" } })).status).toBe(401);
    await apiLogin(email);
    const html = await (await get("/account", cookie)).text();
    const activity = html.slice(html.indexOf('id="activity-title"'), html.indexOf('id="two-factor-title"'));
    expect(activity).toContain("<strong>Logged in</strong>");
    expect(activity).toContain("<strong>Failed log-in attempt (wrong password)</strong>");
    expect(activity).toContain("<strong>Account created</strong>");
    expect(activity).not.toContain("login.failed");
    expect(activity.indexOf("Logged in")).toBeLessThan(activity.indexOf("Account created")); // newest first
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
    const enabled = await api("mfa/totp/enable", { token, body: { code: totpCodeAt(secret, Date.now()) } });
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

  it("refuses every /account form from another origin (403) and changes nothing", async () => {
    const { email, cookie } = await signUp();
    const other = await apiLogin(email);
    const evil = { origin: "https://evil.example" };
    const forms: Record<string, string>[] = [
      { action: "change-password", currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      { action: "change-email", newEmail: uniqueEmail("evil"), password: PASSWORD },
      { action: "sign-out-others" },
      { action: "totp-disable", password: PASSWORD },
      { action: "delete-account", password: PASSWORD, confirm: "yes" },
    ];
    for (const fields of forms) {
      const res = await account(cookie, fields, evil);
      expect(res.status, fields.action).toBe(403);
      expect(await res.text(), fields.action).toContain("This form could not be sent");
      const noOrigin = await account(cookie, fields, { origin: null });
      expect(noOrigin.status, fields.action).toBe(403);
    }
    expect(await meStatus(other)).toBe(200);
    await apiLogin(email, PASSWORD);
  });
});

describe("/login's second step with TOTP on (SPEC §11, §12)", () => {
  let web: WebServer;
  const { post, api } = client(() => web);
  const INVALID_CODE = "Invalid authentication code.";

  beforeAll(async () => {
    web = await startWebServer();
  });
  afterAll(async () => {
    await web?.close();
  });

  /** A user with TOTP on (through the API): the address, the secret and the recovery codes. */
  async function userWithTotp() {
    const email = uniqueEmail("totp");
    const reg = await api("register", { body: { email, password: PASSWORD, firstName: "Ada", lastName: "Lovelace" } });
    const { token } = (await reg.json()) as { token: string };
    const { secret } = (await (await api("mfa/totp/setup", { token, body: {} })).json()) as { secret: string };
    const enabled = await api("mfa/totp/enable", { token, body: { code: totpCodeAt(secret, Date.now()) } });
    const { recoveryCodes } = (await enabled.json()) as { recoveryCodes: string[] };
    return { email, secret, recoveryCodes };
  }

  const hidden = (html: string, name: string) =>
    new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(html)?.[1];

  /** The password step: the page asking for the code, and its hidden fields. */
  async function passwordStep(email: string) {
    const res = await post("/login", { email, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual([]); // no session before the second factor
    const html = await res.text();
    const fields = {
      mfaToken: hidden(html, "mfaToken") ?? "",
      mfaIssuedAt: hidden(html, "mfaIssuedAt") ?? "",
      mfaFailures: hidden(html, "mfaFailures") ?? "",
      email: hidden(html, "email") ?? "",
    };
    expect(fields.mfaToken).not.toBe("");
    return { html, fields };
  }

  it("asks for the code after the password; a wrong code asks again; the next step's code signs in (303 /dashboard)", async () => {
    const { email, secret } = await userWithTotp();
    const { html, fields } = await passwordStep(email);
    expect(html).toContain("<h1>Enter your authentication code</h1>");
    expect(html).toContain("Enter the 6-digit code from your authenticator app, or a recovery code.");
    expect(html).toContain('<form method="post" action="/login" novalidate>');
    expect(html).toMatch(/<input[^>]*id="code"[^>]*name="code"[^>]*autocomplete="one-time-code"/);
    expect(html).not.toContain('name="password"');
    expect(fields.email).toBe(email);

    const wrong = await post("/login", { ...fields, code: "000000" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.getSetCookie()).toEqual([]);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain("<title>Error: Enter your authentication code");
    expect(wrongHtml).toContain(`<a href="#code">${INVALID_CODE}</a>`);
    expect(wrongHtml).toMatch(
      new RegExp(`id="code-error">\\s*<span class="visually-hidden">Error:</span> ${INVALID_CODE}`),
    );
    expect(hidden(wrongHtml, "mfaToken")).toBe(fields.mfaToken);
    expect(hidden(wrongHtml, "mfaFailures")).toBe("1");

    // The step used to enable TOTP is spent: the next one's code.
    const right = await post("/login", { ...fields, mfaFailures: "1", code: totpCodeAt(secret, Date.now() + 30_000) });
    expect(right.status).toBe(303);
    expect(right.headers.get("location")).toBe("/dashboard");
    const cookie = cookieHeader(right);
    expect(cookie).toContain(`${SESSION}=`);
    expect((await api("me", { token: tokenOf(cookie) })).status).toBe(200);

    // The ticket is used: posting it again signs nobody in (the API answers as for a wrong code).
    const reused = await post("/login", { ...fields, code: totpCodeAt(secret, Date.now() + 60_000) });
    expect(reused.status).toBe(401);
    expect(reused.headers.getSetCookie()).toEqual([]);
  });

  it("takes a recovery code, in capitals and without its dash", async () => {
    const { email, recoveryCodes } = await userWithTotp();
    const { fields } = await passwordStep(email);
    const code = (recoveryCodes[0] ?? "").replace("-", "").toUpperCase();
    const res = await post("/login", { ...fields, code });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard");
    expect(setCookies(res).has(SESSION)).toBe(true);
  });

  it("after the fifth wrong code, or with a ticket out of time, goes back to the password step with a message", async () => {
    const { email, secret } = await userWithTotp();
    const { fields } = await passwordStep(email);
    let current = fields;
    for (let i = 1; i <= 4; i++) {
      const res = await post("/login", { ...current, code: "000000" });
      const html = await res.text();
      expect(html, `try ${i}`).toContain(INVALID_CODE);
      current = { ...current, mfaFailures: hidden(html, "mfaFailures") ?? "" };
      expect(current.mfaFailures).toBe(String(i));
    }
    const fifth = await post("/login", { ...current, code: "000000" });
    expect(fifth.status).toBe(401);
    const fifthHtml = await fifth.text();
    expect(fifthHtml).toContain("<h1>Log in</h1>");
    expect(fifthHtml).toContain("Your log-in has timed out or had too many wrong codes.");
    expect(fifthHtml).toContain(`value="${email}"`);
    expect(fifthHtml).not.toContain('name="mfaToken"');
    // The API agrees: the ticket is spent, even with a good code.
    const spent = await api("mfa/verify", {
      body: { mfaToken: fields.mfaToken, code: totpCodeAt(secret, Date.now() + 30_000) },
    });
    expect(spent.status).toBe(401);

    const late = await post("/login", {
      mfaToken: "A".repeat(43),
      mfaIssuedAt: String(Date.now() - 6 * 60_000),
      mfaFailures: "0",
      email,
      code: "123456",
    });
    expect(late.status).toBe(401);
    expect(await late.text()).toContain("Your log-in has timed out or had too many wrong codes.");
  });

  it("refuses the code step from another origin (403)", async () => {
    const { email, secret } = await userWithTotp();
    const { fields } = await passwordStep(email);
    const code = totpCodeAt(secret, Date.now() + 30_000);
    const res = await post("/login", { ...fields, code }, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect((await post("/login", { ...fields, code })).status).toBe(303); // the ticket was left usable
  });
});

describe("/account/two-factor: turning TOTP on (SPEC §11, §12)", () => {
  let web: WebServer;
  const { get, post, api, apiLogin, meStatus } = client(() => web);

  beforeAll(async () => {
    web = await startWebServer();
  });
  afterAll(async () => {
    await web?.close();
  });

  async function signUp() {
    const email = uniqueEmail("setup");
    const res = await post("/register", { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
    return { email, cookie: cookieHeader(res) };
  }

  /** The base32 secret shown on the page (grouped in fours). */
  const secretIn = (html: string) =>
    /<code class="secret" id="secret">([A-Z2-7 ]+)<\/code>/.exec(html)?.[1]?.replaceAll(" ", "");

  it("shows a server-drawn QR code and the key; a wrong code comes back with the error; the right one shows ten recovery codes once", async () => {
    const { email, cookie } = await signUp();
    const other = await apiLogin(email);
    expect((await get("/account/two-factor")).headers.get("location")).toBe("/login?next=/account/two-factor");

    const page = await get("/account/two-factor", cookie);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    const html = await page.text();
    expect(html).toMatch(
      /<svg role="img" aria-label="QR code to add Portico to your authenticator app"[^>]*viewBox="0 0 \d+ \d+"/,
    );
    expect(html).not.toContain("<img");
    expect(html).not.toContain("data:image");
    const secret = secretIn(html) ?? "";
    expect(secret.length).toBeGreaterThanOrEqual(16);
    expect(html).toMatch(/<code class="secret" id="secret">([A-Z2-7]{4} )+[A-Z2-7]{1,4}<\/code>/);
    expect(html).toContain('<form method="post" action="/account/two-factor" novalidate>');
    expect(html).toMatch(/<input[^>]*name="code"[^>]*autocomplete="one-time-code" inputmode="numeric"/);
    // The POST carries the code only: the secret is nowhere in the form.
    const form = html.slice(html.indexOf('<form method="post" action="/account/two-factor"'), html.indexOf("</form>"));
    expect(form).not.toContain(secret);
    expect(form).not.toContain('type="hidden"');

    const wrong = await post("/account/two-factor", { code: "000000" }, { cookie });
    expect(wrong.status).toBe(401);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain("<title>Error: Set up two-factor authentication");
    expect(wrongHtml).toContain('<a href="#code">Invalid authentication code.</a>');
    expect(wrongHtml).toContain('id="code-error"');
    expect(wrongHtml).toContain('href="/account/two-factor">Start again with a new QR code</a>');

    const right = await post("/account/two-factor", { code: totpCodeAt(secret, Date.now()) }, { cookie });
    expect(right.status).toBe(200);
    const rightHtml = await right.text();
    expect(rightHtml).toContain("<h1>Save your recovery codes</h1>");
    const codes = [...rightHtml.matchAll(/<li>([a-z0-9]{5}-[a-z0-9]{5})<\/li>/g)].map((m) => m[1]);
    expect(codes).toHaveLength(10);
    expect(rightHtml).toContain("We will not show them again.");
    expect(rightHtml).toContain('href="/account?done=totp-on"');
    expect(await meStatus(tokenOf(cookie))).toBe(200);
    expect(await meStatus(other)).toBe(401); // enabling ends the other sessions

    // On now: the set-up page sends back to /account, which says so.
    const again = await get("/account/two-factor", cookie);
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe("/account");
    const account = await (await get("/account?done=totp-on", cookie)).text();
    expect(account).toContain("Two-factor authentication is on.");
    expect(account).toContain('<span class="tag tag--done">On</span>');
    const login = await api("login", { body: { email, password: PASSWORD } });
    expect(((await login.json()) as { mfaRequired?: boolean }).mfaRequired).toBe(true);
  });

  it("a new visit replaces the pending key: only the newest one's code turns TOTP on", async () => {
    const { cookie } = await signUp();
    const first = secretIn(await (await get("/account/two-factor", cookie)).text()) ?? "";
    const second = secretIn(await (await get("/account/two-factor", cookie)).text()) ?? "";
    expect(second).not.toBe(first);
    expect((await post("/account/two-factor", { code: totpCodeAt(first, Date.now()) }, { cookie })).status).toBe(401);
    expect((await post("/account/two-factor", { code: totpCodeAt(second, Date.now()) }, { cookie })).status).toBe(200);
  });

  it("refuses the code from another origin (403)", async () => {
    const { cookie } = await signUp();
    const secret = secretIn(await (await get("/account/two-factor", cookie)).text()) ?? "";
    const res = await post(
      "/account/two-factor",
      { code: totpCodeAt(secret, Date.now()) },
      { cookie, origin: "https://evil.example" },
    );
    expect(res.status).toBe(403);
    expect(((await (await api("mfa", { token: tokenOf(cookie) })).json()) as { totp: boolean }).totp).toBe(false);
  });
});

describe("/confirm-email (SPEC §9, §12, §13)", () => {
  let web: WebServer;
  let smtp: TestSmtpServer;
  const { get, post, apiLogin } = client(() => web);

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    web = await startWebServer({ SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    await web?.close();
    await smtp?.close();
  });

  /** A user who asked, through /account, to move to a new address: the link from the mail. */
  async function changeRequested() {
    const email = uniqueEmail("old");
    const newEmail = uniqueEmail("new");
    const reg = await post("/register", { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
    const cookie = cookieHeader(reg);
    const res = await post("/account", { action: "change-email", newEmail, password: PASSWORD }, { cookie });
    expect(res.status).toBe(303);
    const link = linkIn(await waitForMail(smtp, newEmail, /email/i), "/confirm-email");
    return { email, newEmail, cookie, link };
  }

  it("GET and HEAD leave the token usable (no-referrer, no-store); the button's POST changes the address", async () => {
    const { email, newEmail, cookie, link } = await changeRequested();
    for (const method of ["GET", "HEAD"] as const) {
      const res = await fetch(`${web.url}${link.path}`, { method, headers: { accept: "text/html" } });
      expect(res.status, method).toBe(200);
      expect(res.headers.get("referrer-policy"), method).toBe("no-referrer");
      expect(res.headers.get("cache-control"), method).toBe("no-store");
      if (method === "GET") {
        const html = await res.text();
        expect(html).toContain('<form method="post" action="/confirm-email">');
        expect(html).toContain(`<input type="hidden" name="token" value="${link.token}">`);
        expect(html).toMatch(/<button[^>]*type="submit"[^>]*>Confirm email address<\/button>/);
      }
    }
    await apiLogin(email); // still the old address

    const done = await post("/confirm-email", { token: link.token }, { cookie });
    expect(done.status).toBe(200);
    expect(done.headers.get("referrer-policy")).toBe("no-referrer");
    expect(done.headers.getSetCookie()).toEqual([]);
    const html = await done.text();
    expect(html).toContain(`Your email address has been changed to ${newEmail}.`);
    expect(html).toContain('href="/account"');
    await apiLogin(newEmail);

    const again = await post("/confirm-email", { token: link.token });
    expect(again.status).toBe(400);
    const againHtml = await again.text();
    expect(againHtml).toContain("<h1>This link is invalid or has expired</h1>");
    expect(againHtml).toContain('href="/login"');
  });

  it("says the address is taken when another account took it meanwhile (409)", async () => {
    const { newEmail, link } = await changeRequested();
    expect(
      (await post("/register", { email: newEmail, firstName: "Bo", lastName: "Diddley", password: PASSWORD })).status,
    ).toBe(303);
    const res = await post("/confirm-email", { token: link.token });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("<h1>This email address is already in use</h1>");
  });

  it("says the link is invalid without a token or with a dead one, and refuses a foreign origin (403)", async () => {
    for (const res of [await get("/confirm-email"), await post("/confirm-email", { token: "A".repeat(43) })]) {
      expect(res.status).toBe(400);
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(await res.text()).toContain("<h1>This link is invalid or has expired</h1>");
    }
    const { email, link } = await changeRequested();
    const evil = await post("/confirm-email", { token: link.token }, { origin: "https://evil.example" });
    expect(evil.status).toBe(403);
    await apiLogin(email); // unchanged
    expect((await post("/confirm-email", { token: link.token })).status).toBe(200);
  });
});
