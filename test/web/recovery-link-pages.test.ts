import { describe, expect, it } from "vitest";
import type { TestSmtpServer } from "../../src/mail/test-support.js";
import { captureLogs } from "../log-capture.js";
import { mailsTo } from "../support/mail.js";
import { NEW_PASSWORD, PASSWORD, SESSION } from "./support/pages.js";
import { CONFIRMED, client, mailedLinks } from "./support/recovery-http.js";
import { useSite } from "./support/sites.js";
import { type PostInit, setCookies, startWebServer, type WebServer } from "./web-server.js";

const INVALID = "This link is invalid or has expired";
const CHANGED = "Your password has been changed. Log in with your new password.";

const hiddenToken = (token: string) => `<input type="hidden" name="token" value="${token}">`;

describe("recovery pages over HTTP (SPEC §7, §8, §12, §13)", () => {
  let web: WebServer;
  let smtp: TestSmtpServer;
  useSite((site) => {
    ({ web, smtp } = site);
  });
  const { get, post, apiLogin, me, emailVerified } = client(() => web);
  const { signUp, resetLink } = mailedLinks(post, () => smtp);

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
