import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSmtpServer, type TestSmtpServer } from "../../src/mail/test-support.js";
import { uniqueEmail } from "../helpers.js";
import { captureLogs } from "../log-capture.js";
import { linkIn, mailsTo, waitForMail } from "../support/mail.js";
import { cookieHeader, type PostInit, postForm, setCookies, startWebServer, type WebServer } from "./web-server.js";

const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a brand new passphrase";
const SESSION = "portico_session";
const INVALID = "This link is invalid or has expired";
const CONFIRMED = "Your email address has been confirmed.";
const FORGOT_MESSAGE = "If an account exists for that address, we have sent a link to reset the password.";
const CHANGED = "Your password has been changed. Log in with your new password.";

function registration(email = uniqueEmail("recovery")) {
  return { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD };
}

/** A web server sending real mail to an in-process SMTP server. */
async function startWithMail(env: Record<string, string> = {}): Promise<{ web: WebServer; smtp: TestSmtpServer }> {
  const smtp = await startTestSmtpServer();
  const web = await startWebServer({ SMTP_URL: smtp.url, ...env });
  return { web, smtp };
}

/** Requests to one web server, as a browser makes them (HTML, no redirects followed). */
function client(web: () => WebServer) {
  const get = (path: string, init: { cookie?: string; method?: "GET" | "HEAD" } = {}) =>
    fetch(`${web().url}${path}`, {
      method: init.method ?? "GET",
      redirect: "manual",
      headers: { accept: "text/html", ...(init.cookie && { cookie: init.cookie }) },
    });
  const post = (path: string, fields: Record<string, string>, init: PostInit = {}) =>
    postForm(web().url, path, fields, init);
  /** POST /api/v1/auth/login straight to the API. */
  const apiLogin = (email: string, password: string) =>
    fetch(`${web().url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
  /** GET /api/v1/auth/me with the token of a session cookie. */
  const me = (cookie: string) =>
    fetch(`${web().url}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${/portico_session=([^;]+)/.exec(cookie)?.[1]}` },
    });
  /** Whether the API says the cookie's user has a verified address. */
  const emailVerified = async (cookie: string) =>
    ((await (await me(cookie)).json()) as { user: { emailVerified: boolean } }).user.emailVerified;
  return { get, post, apiLogin, me, emailVerified };
}

const hiddenToken = (token: string) => `<input type="hidden" name="token" value="${token}">`;

describe("recovery pages over HTTP (SPEC §7, §8, §12, §13)", () => {
  let web: WebServer;
  let smtp: TestSmtpServer;
  const { get, post, apiLogin, me, emailVerified } = client(() => web);

  beforeAll(async () => {
    ({ web, smtp } = await startWithMail());
  });
  afterAll(async () => {
    await web?.close();
    await smtp?.close();
  });

  /** Signs up through the form; the session cookie and the verification link. */
  async function signUp() {
    const fields = registration();
    const res = await post("/register", fields);
    expect(res.status).toBe(303);
    const link = linkIn(await waitForMail(smtp, fields.email, /Confirm your email/), "/verify-email");
    return { email: fields.email, cookie: cookieHeader(res), link };
  }

  /** Asks for a reset link through the form; the link from the mail. */
  async function resetLink(email: string, n = 1) {
    expect((await post("/forgot-password", { email })).status).toBe(200);
    return linkIn(await waitForMail(smtp, email, /Reset your password/, n), "/reset-password");
  }

  it("verify-email: two GETs and a HEAD leave the token usable; the button's POST confirms and signs nobody in", async () => {
    const { cookie, link } = await signUp();
    for (const method of ["GET", "GET", "HEAD"] as const) {
      const res = await get(link.path, { method });
      expect(res.status, method).toBe(200);
      expect(res.headers.getSetCookie(), method).toEqual([]);
      if (method === "GET") {
        const html = await res.text();
        expect(html).toContain('<form method="post" action="/verify-email">');
        expect(html).toContain(hiddenToken(link.token));
        expect(html).toMatch(/<button[^>]*type="submit"[^>]*>Confirm email address<\/button>/);
      }
    }
    expect(await emailVerified(cookie)).toBe(false);

    const confirmed = await post("/verify-email", { token: link.token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.headers.getSetCookie()).toEqual([]);
    const html = await confirmed.text();
    expect(html).toContain(CONFIRMED);
    expect(html).toContain('href="/login"'); // this request carried no session cookie
    expect(await emailVerified(cookie)).toBe(true);

    const again = await post("/verify-email", { token: link.token }, { cookie });
    expect(again.status).toBe(400);
    const againHtml = await again.text();
    expect(againHtml).toContain(INVALID);
    expect(againHtml).toContain('href="/dashboard"'); // signed in: the dashboard has the resend button
  });

  it("verify-email without a token, or with one that is not live, says the link is invalid and how to get a new one", async () => {
    for (const res of [
      await get("/verify-email"),
      await get("/verify-email?token="),
      await post("/verify-email", {}),
      await post("/verify-email", { token: "A".repeat(43) }),
    ]) {
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain(`<h1>${INVALID}</h1>`);
      expect(html).not.toContain("Confirm email address</button>");
      expect(html).toContain("Resend verification email");
      expect(html).toContain('href="/login"');
    }
  });

  it("reset-password: two GETs and a HEAD leave the token usable; a weak password keeps it; success is 303 to /login with the notice", async () => {
    const { email, cookie } = await signUp();
    const link = await resetLink(email);
    for (const method of ["GET", "GET", "HEAD"] as const) {
      const res = await get(link.path, { method });
      expect(res.status, method).toBe(200);
      if (method === "GET") {
        const html = await res.text();
        expect(html).toContain('<form method="post" action="/reset-password" novalidate>');
        expect(html).toContain(hiddenToken(link.token));
        expect(html).toMatch(/<input[^>]*name="password"[^>]*type="password"[^>]*autocomplete="new-password"/);
      }
    }

    const weak = await post("/reset-password", { token: link.token, password: "short" });
    expect(weak.status).toBe(422);
    const weakHtml = await weak.text();
    expect(weakHtml).toContain("<title>Error: Choose a new password");
    expect(weakHtml).toContain('id="password-error"');
    expect(weakHtml).toContain("Password must be at least 8 characters.");
    expect(weakHtml).toContain(hiddenToken(link.token));
    expect(weakHtml).not.toContain('value="short"');
    const common = await post("/reset-password", { token: link.token, password: "password123" });
    expect(common.status).toBe(422);
    expect(await common.text()).toContain(hiddenToken(link.token));

    const done = await post("/reset-password", { token: link.token, password: NEW_PASSWORD }, { cookie });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/login?reset=1");
    // Every session ended in the API; this browser forgets its cookie too.
    expect(setCookies(done).get(SESSION)).toMatch(/^portico_session=deleted;.*Expires=Thu, 01 Jan 1970/);
    expect((await me(cookie)).status).toBe(401);

    const login = await get("/login?reset=1");
    expect(await login.text()).toContain(CHANGED);
    expect(await (await get("/login")).text()).not.toContain(CHANGED);
    expect((await apiLogin(email, PASSWORD)).status).toBe(401);
    expect((await apiLogin(email, NEW_PASSWORD)).status).toBe(200);

    const reused = await post("/reset-password", { token: link.token, password: "yet another passphrase" });
    expect(reused.status).toBe(400);
    const reusedHtml = await reused.text();
    expect(reusedHtml).toContain(`<h1>${INVALID}</h1>`);
    expect(reusedHtml).toContain('href="/forgot-password"');
    expect(reusedHtml).not.toContain('name="password"');
  });

  it("reset-password without a token says the link is invalid, with a link to ask for a new one", async () => {
    for (const res of [await get("/reset-password"), await post("/reset-password", { password: NEW_PASSWORD })]) {
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain(`<h1>${INVALID}</h1>`);
      expect(html).toContain('href="/forgot-password"');
    }
  });

  it("sends Referrer-Policy: no-referrer and Cache-Control: no-store from the pages with a token, same-origin elsewhere", async () => {
    const token = "A".repeat(43);
    const tokenPages = [
      await get(`/verify-email?token=${token}`),
      await get(`/reset-password?token=${token}`),
      await post("/verify-email", { token }),
      await post("/reset-password", { token, password: "short" }),
    ];
    for (const res of tokenPages) {
      expect(res.headers.get("referrer-policy"), res.url).toBe("no-referrer");
      expect(res.headers.get("cache-control"), res.url).toBe("no-store");
    }
    for (const path of ["/forgot-password", "/login", "/login?reset=1"]) {
      const res = await get(path);
      expect(res.headers.get("referrer-policy"), path).toBe("same-origin");
      expect(res.headers.get("cache-control"), path).toBe("no-store");
    }
  });

  it("refuses the new forms from another origin (403) and leaves the tokens usable", async () => {
    const { email, cookie, link } = await signUp();
    const reset = await resetLink(email);
    const evil = { origin: "https://evil.example" };
    for (const [path, fields, init] of [
      ["/verify-email", { token: link.token }, evil],
      ["/reset-password", { token: reset.token, password: "an attacker's password" }, evil],
      ["/forgot-password", { email }, evil],
      ["/dashboard", {}, { ...evil, cookie }],
    ] as const) {
      const res = await post(path, fields, init);
      expect(res.status, path).toBe(403);
      expect(await res.text(), path).toContain("This form could not be sent");
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailsTo(smtp, email)).toHaveLength(2); // the sign-up and the one reset mail: no more
    expect((await post("/verify-email", { token: link.token })).status).toBe(200);
    expect((await post("/reset-password", { token: reset.token, password: NEW_PASSWORD })).status).toBe(303);
  });

  it("accepts Origin: null only with Sec-Fetch-Site: same-origin (a no-referrer page's own post)", async () => {
    const token = "A".repeat(43);
    const refused: PostInit[] = [
      { origin: "null" },
      { origin: "null", headers: { "sec-fetch-site": "cross-site" } },
      { origin: "null", headers: { "sec-fetch-site": "same-site" } },
      { origin: null, headers: { "sec-fetch-site": "same-origin" } },
      { origin: "https://evil.example", headers: { "sec-fetch-site": "same-origin" } },
    ];
    for (const init of refused) {
      const res = await post("/verify-email", { token }, init);
      expect(res.status, JSON.stringify(init)).toBe(403);
    }
    // Let through to the page, which finds the token not live (400): the CSRF check passed.
    const own = await post(
      "/verify-email",
      { token },
      { origin: "null", headers: { "sec-fetch-site": "same-origin" } },
    );
    expect(own.status).toBe(400);
    expect(await own.text()).toContain(INVALID);
  });

  it("forgot-password shows the same page for a known and an unknown address; only the known one gets a link", async () => {
    const { email } = await signUp();
    const unknown = uniqueEmail("nobody");
    const known = await post("/forgot-password", { email: email.toUpperCase() });
    const other = await post("/forgot-password", { email: unknown });
    expect(known.status).toBe(200);
    expect(other.status).toBe(200);
    const knownHtml = await known.text();
    expect(knownHtml).toContain("<h1>Check your email</h1>");
    expect(knownHtml).toContain(FORGOT_MESSAGE);
    expect(await other.text()).toBe(knownHtml);
    await waitForMail(smtp, email, /Reset your password/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailsTo(smtp, unknown)).toEqual([]);
  });

  it("forgot-password shows the form again for a malformed address, with the value and the message", async () => {
    const page = await get("/forgot-password");
    const pageHtml = await page.text();
    expect(pageHtml).toMatch(/<input[^>]*name="email"[^>]*type="email"[^>]*autocomplete="email"/);
    expect(pageHtml).toContain('<form method="post" action="/forgot-password" novalidate>');
    for (const [email, message] of [
      ["not an address", "Please enter a valid email address."],
      ["", "Please fill in all required fields."],
    ] as const) {
      const res = await post("/forgot-password", { email });
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toContain("<title>Error: Reset your password");
      expect(html).toContain(`href="#email">${message}</a>`);
      expect(html).toContain(email ? `value="${email}"` : 'name="email" type="email" value ');
      expect(html).not.toContain(FORGOT_MESSAGE);
    }
  });

  it("login has a link to /forgot-password", async () => {
    expect(await (await get("/login")).text()).toContain('<a href="/forgot-password">Forgot your password?</a>');
  });

  it("dashboard: shows the address is not confirmed, resends a link that works, then says it is confirmed", async () => {
    const { email, cookie, link } = await signUp();
    const before = await (await get("/dashboard", { cookie })).text();
    expect(before).toContain("Not confirmed");
    expect(before).toMatch(
      /<form method="post" action="\/dashboard">\s*<button[^>]*type="submit"[^>]*>Resend verification email<\/button>/,
    );

    const resent = await post("/dashboard", {}, { cookie });
    expect(resent.status).toBe(200);
    expect(await resent.text()).toContain(`We have sent a new link to ${email}.`);
    const second = linkIn(await waitForMail(smtp, email, /Confirm your email/, 2), "/verify-email");
    expect(second.token).not.toBe(link.token);
    expect((await post("/verify-email", { token: link.token })).status).toBe(400); // superseded
    expect((await post("/verify-email", { token: second.token })).status).toBe(200);

    const after = await (await get("/dashboard", { cookie })).text();
    expect(after).toContain(">Confirmed</span>");
    expect(after).not.toContain("Resend verification email");
    const already = await post("/dashboard", {}, { cookie });
    expect(await already.text()).toContain("Your email address is already confirmed.");
  });

  it("dashboard: a resend without a live session goes to /login", async () => {
    const res = await post("/dashboard", {}, { cookie: `${SESSION}=not-a-jwt` });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login?next=/dashboard");
    expect((await post("/dashboard", {})).headers.get("location")).toBe("/login?next=/dashboard");
  });
});

describe("recovery pages with the limits on", () => {
  let web: WebServer;
  let smtp: TestSmtpServer;
  const { post } = client(() => web);

  beforeAll(async () => {
    ({ web, smtp } = await startWithMail({ RATE_LIMIT: "on" }));
  });
  afterAll(async () => {
    await web?.close();
    await smtp?.close();
  });

  it("dashboard: a resend within a minute of the last mail says to wait (429)", async () => {
    const res = await post("/register", registration());
    const cookie = cookieHeader(res);
    const wait = await post("/dashboard", {}, { cookie });
    expect(wait.status).toBe(429);
    const html = await wait.text();
    expect(html).toContain("<title>Error: Your account");
    expect(html).toContain("We sent you a link less than a minute ago. Please wait a minute, then try again.");
    expect(html).toContain("Not confirmed");
  });

  it("forgot-password: beyond 10 requests per client address, the form says to wait (429)", async () => {
    const headers = { "x-forwarded-for": "198.51.100.30" };
    for (let i = 0; i < 10; i++) {
      expect((await post("/forgot-password", { email: uniqueEmail("limit") }, { headers })).status).toBe(200);
    }
    const limited = await post("/forgot-password", { email: uniqueEmail("limit") }, { headers });
    expect(limited.status).toBe(429);
    const html = await limited.text();
    expect(html).toContain("Too many attempts. Please wait a few minutes and try again.");
    expect(html).toContain('name="email"');
  });
});

describe("sign-up with EMAIL_VERIFICATION=required", () => {
  let web: WebServer;
  let smtp: TestSmtpServer;
  const { post } = client(() => web);

  beforeAll(async () => {
    ({ web, smtp } = await startWithMail({ EMAIL_VERIFICATION: "required" }));
  });
  afterAll(async () => {
    await web?.close();
    await smtp?.close();
  });

  it("says to check the email instead of signing in; log-in waits for the confirmation", async () => {
    const fields = registration();
    const res = await post("/register", { ...fields, email: ` ${fields.email.toUpperCase()} ` });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual([]);
    const html = await res.text();
    expect(html).toContain("<h1>Check your email</h1>");
    expect(html).toContain(`We have sent a link to <strong>${fields.email}</strong>.`);

    const early = await post("/login", { email: fields.email, password: PASSWORD });
    expect(early.status).toBe(403);
    expect(early.headers.getSetCookie()).toEqual([]);
    const earlyHtml = await early.text();
    expect(earlyHtml).toContain(
      "Confirm your email address first: open the link we sent you when you created your account.",
    );
    expect(earlyHtml).toContain('href="/forgot-password"');

    const link = linkIn(await waitForMail(smtp, fields.email, /Confirm your email/), "/verify-email");
    const confirmed = await post("/verify-email", { token: link.token });
    expect(confirmed.headers.getSetCookie()).toEqual([]);
    expect(await confirmed.text()).toContain(CONFIRMED);
    const login = await post("/login", { email: fields.email, password: PASSWORD });
    expect(login.status).toBe(303);
    expect(setCookies(login).has(SESSION)).toBe(true);
  });
});

describe("logs of the pages with a token", () => {
  it("never hold the token of a link", async () => {
    const logs = captureLogs("info");
    const web = await startWebServer({}, logs.logger);
    try {
      const token = "Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC10b2tlbi0x";
      const { get, post } = client(() => web);
      await get(`/verify-email?token=${token}`);
      await get(`/reset-password?token=${token}&utm=1`);
      await post("/verify-email", { token });
      await post("/reset-password", { token, password: NEW_PASSWORD });
      const requests = logs.records().filter((r) => typeof (r.req as { url?: unknown } | undefined)?.url === "string");
      expect(requests.map((r) => (r.req as { url: string }).url)).toContain("/verify-email?token=%5Bredacted%5D");
      expect(logs.lines.join("\n")).not.toContain(token);
    } finally {
      await web.close();
    }
  });
});
