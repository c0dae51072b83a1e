import { describe, expect, it } from "vitest";
import { uniqueEmail } from "../helpers.js";
import { accountClient, tokenOf } from "./support/account-http.js";
import { CLEARED, NEW_PASSWORD, PASSWORD, SESSION } from "./support/pages.js";
import { useSite } from "./support/sites.js";
import { cookieHeader, setCookies, type WebServer } from "./web-server.js";

describe("/account over HTTP (SPEC §9, §12)", () => {
  let web: WebServer;
  useSite((site) => {
    ({ web } = site);
  });
  const { get, post, api, apiLogin, meStatus, signUp, account } = accountClient(() => web);

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
    for (const _ of [1, 2])
      expect((await api("login", { body: { email, password: "wrong password" } })).status).toBe(401);
    await apiLogin(email);
    const html = await (await get("/account", cookie)).text();
    const activity = html.slice(html.indexOf('id="activity-title"'), html.indexOf('id="two-factor-title"'));
    expect(activity).toContain("<strong>Logged in</strong>");
    // Failed attempts in a row are one entry with their count (the API's `count`).
    expect(activity).toMatch(
      /<strong>Failed log-in attempt \(wrong password\)<\/strong>\s*<span> — 2 in a row, the last:<\/span>/,
    );
    expect(activity).toContain("<strong>Account created</strong>");
    expect(activity).not.toContain("login.failed");
    expect(activity.indexOf("Logged in")).toBeLessThan(activity.indexOf("Account created")); // newest first
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
