import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { totpCodeAt } from "../../src/mfa/totp.js";
import { uniqueEmail } from "../helpers.js";
import { cookieHeader, postForm, setCookies, startWebServer, type WebServer } from "./web-server.js";

const PASSWORD = "correct horse battery staple";
const SESSION = "portico_session";
const CLEARED = /^portico_session=deleted;.*Expires=Thu, 01 Jan 1970/;
const WHY = "Log in to see your account.";
const ACCOUNT_PAGES = ["/dashboard", "/account", "/account/two-factor"];

/** Ways to leave the site through `next`, each of which must end on the dashboard instead. */
const OPEN_REDIRECTS = [
  "https://evil.example",
  "https://evil.example/dashboard",
  "//evil.example",
  "//evil.example/dashboard",
  "/\\evil.example",
  "\\\\evil.example",
  "\\/evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/%0d%0aSet-Cookie:x=1",
  "/%2F%2Fevil.example",
  "/%5Cevil.example",
  "/%E0%A4%A",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(document.cookie)",
  "data:text/html,<script>alert(1)</script>",
  "http:evil.example",
  "https:/evil.example",
  " /dashboard",
  "evil.example",
  "",
  "/login",
  "/logout",
];

describe("the edges of a session (issue 15, item 5)", () => {
  let web: WebServer;

  beforeAll(async () => {
    web = await startWebServer();
  });
  afterAll(async () => {
    await web?.close();
  });

  const get = (path: string, cookie?: string) =>
    fetch(`${web.url}${path}`, { redirect: "manual", headers: { accept: "text/html", ...(cookie && { cookie }) } });
  const post = (path: string, fields: Record<string, string>, cookie?: string) =>
    postForm(web.url, path, fields, cookie ? { cookie } : {});
  const api = (path: string, body: object, token?: string) =>
    fetch(`${web.url}/api/v1/auth/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });

  /** A user made through the API (no cookie in this "browser"). */
  async function apiUser(): Promise<{ email: string; token: string }> {
    const email = uniqueEmail("edges");
    const res = await api("register", { email, password: PASSWORD, firstName: "Ada", lastName: "Lovelace" });
    expect(res.status).toBe(201);
    return { email, token: ((await res.json()) as { token: string }).token };
  }

  /** Signs up through the form: the address and the session cookie. */
  async function signUp() {
    const email = uniqueEmail("edges");
    const res = await post("/register", { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
    expect(res.status).toBe(303);
    return { email, cookie: cookieHeader(res) };
  }

  const hidden = (html: string, name: string) =>
    new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(html)?.[1];

  describe("a signed-out visit to an account page", () => {
    it.each(ACCOUNT_PAGES)("%s goes to /login?next=%s, which says why and keeps the page in the form", async (path) => {
      const res = await get(path);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(`/login?next=${path}`);
      const login = await get(`/login?next=${path}`);
      expect(login.status).toBe(200);
      const html = await login.text();
      expect(html).toMatch(new RegExp(`<p class="notice" role="status">\\s*${WHY}\\s*</p>`));
      expect(hidden(html, "next")).toBe(path);
    });

    it("a dead cookie on an account page goes the same way, and the cookie is dropped", async () => {
      for (const path of ACCOUNT_PAGES) {
        const res = await get(path, `${SESSION}=not-a-jwt`);
        expect(res.headers.get("location"), path).toBe(`/login?next=${path}`);
        expect(setCookies(res).get(SESSION), path).toMatch(CLEARED);
      }
    });

    it("plain /login says nothing about an account page", async () => {
      const html = await (await get("/login")).text();
      expect(html).not.toContain(WHY);
      expect(hidden(html, "next")).toBeUndefined();
    });

    it.each(ACCOUNT_PAGES)("logging in from /login?next=%s comes back to it", async (path) => {
      const { email } = await apiUser();
      const res = await post("/login", { email, password: PASSWORD, next: path });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(path);
      expect((await get(path, cookieHeader(res))).status).toBe(200);
    });

    it("a wrong password keeps the asked-for page for the next try", async () => {
      const { email } = await apiUser();
      const wrong = await post("/login", { email, password: "not the password at all", next: "/account" });
      expect(wrong.status).toBe(401);
      expect(hidden(await wrong.text(), "next")).toBe("/account");
    });

    it("without a page asked for, logging in goes to the dashboard", async () => {
      const { email } = await apiUser();
      const res = await post("/login", { email, password: PASSWORD });
      expect(res.headers.get("location")).toBe("/dashboard");
    });

    it("keeps the asked-for page through the second-factor step", async () => {
      const { email, token } = await apiUser();
      const setup = await api("mfa/totp/setup", {}, token);
      const { secret } = (await setup.json()) as { secret: string };
      expect((await api("mfa/totp/enable", { code: totpCodeAt(secret, Date.now()) }, token)).status).toBe(200);

      const step = await post("/login", { email, password: PASSWORD, next: "/account" });
      expect(step.status).toBe(200);
      const html = await step.text();
      expect(html).toContain("<h1>Enter your authentication code</h1>");
      expect(hidden(html, "next")).toBe("/account");
      expect(html).toContain('<a href="/login?next=/account">Start again</a>');
      const fields = {
        mfaToken: hidden(html, "mfaToken") ?? "",
        mfaIssuedAt: hidden(html, "mfaIssuedAt") ?? "",
        mfaFailures: hidden(html, "mfaFailures") ?? "",
        email,
        next: "/account",
      };
      // A wrong code asks again, still on the way to /account.
      const wrong = await post("/login", { ...fields, code: "000000" });
      expect(wrong.status).toBe(401);
      expect(hidden(await wrong.text(), "next")).toBe("/account");
      // The step used to enable TOTP is spent: the next one's code.
      const right = await post("/login", {
        ...fields,
        mfaFailures: "1",
        code: totpCodeAt(secret, Date.now() + 30_000),
      });
      expect(right.status).toBe(303);
      expect(right.headers.get("location")).toBe("/account");
    });

    it.each(OPEN_REDIRECTS)("never follows next=%j off the site: the dashboard instead", async (next) => {
      const { email } = await apiUser();
      const res = await post("/login", { email, password: PASSWORD, next });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/dashboard");
      // Nor does the page carry it into its form, or explain a visit that was not one.
      const html = await (await get(`/login?${new URLSearchParams({ next })}`)).text();
      expect(hidden(html, "next")).toBeUndefined();
      expect(html).not.toContain(WHY);
    });

    it("keeps a path of the site with its query, and a signed-in visit to /login?next= goes straight there", async () => {
      const { email } = await apiUser();
      const res = await post("/login", { email, password: PASSWORD, next: "/account?passkey=added" });
      expect(res.headers.get("location")).toBe("/account?passkey=added");
      const again = await get("/login?next=/account/two-factor", cookieHeader(res));
      expect(again.status).toBe(303);
      expect(again.headers.get("location")).toBe("/account/two-factor");
      const evil = await get("/login?next=//evil.example", cookieHeader(res));
      expect(evil.headers.get("location")).toBe("/dashboard");
    });
  });

  describe("after Log out", () => {
    it('the page it lands on says "You have logged out", once', async () => {
      const { cookie } = await signUp();
      const res = await post("/logout", {}, cookie);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/");
      const flash = setCookies(res).get("portico_logged_out");
      expect(flash).toMatch(/^portico_logged_out=1;.*HttpOnly/);
      const landing = await get("/", cookieHeader(res));
      const html = await landing.text();
      expect(html).toMatch(/<p class="notice" role="status">\s*You have logged out\./);
      // Said once: the answer drops the cookie, and a later visit says nothing.
      expect(setCookies(landing).get("portico_logged_out")).toMatch(/Expires=Thu, 01 Jan 1970/);
      expect(await (await get("/")).text()).not.toContain("You have logged out");
    });

    it("a session that ended another way (a dead cookie) is not called a logout", async () => {
      const res = await get("/dashboard", `${SESSION}=not-a-jwt`);
      expect(setCookies(res).has("portico_logged_out")).toBe(false);
    });
  });

  describe("the header", () => {
    const PAGES = [
      "/",
      "/forgot-password",
      "/reset-password?token=abc",
      "/verify-email?token=abc",
      "/confirm-email?token=abc",
      "/dashboard",
      "/account",
      "/account/two-factor",
      "/logout",
      "/no-such-page",
    ];

    it("shows who is logged in on every page, with Your account and Log out, and keeps the page out of caches", async () => {
      const { email, cookie } = await signUp();
      for (const path of PAGES) {
        const res = await get(path, cookie);
        expect(res.headers.get("cache-control"), path).toBe("no-store");
        const html = await res.text();
        const header = /<header class="site-header">([\s\S]*?)<\/header>/.exec(html)?.[1] ?? "";
        expect(header, path).toMatch(new RegExp(`Logged in as <strong>${email.replace(/[.+]/g, "\\$&")}</strong>`));
        expect(header, path).toContain('<a href="/dashboard"');
        expect(header, path).not.toContain('href="/login"');
        expect(header, path).not.toContain('href="/register"');
        // /logout's own page holds the one Log out button; every other page has it in the header.
        if (path === "/logout") expect(header, path).not.toContain('action="/logout"');
        else
          expect(header, path).toMatch(
            /<form class="site-logout" method="post" action="\/logout">\s*<button[^>]*>Log out<\/button>/,
          );
        expect(html.match(/>Log out<\/button>/g)?.length ?? 0, path).toBe(1);
      }
    });

    it("shows Log in and Sign up to a visitor who is not logged in, or whose cookie is dead", async () => {
      for (const cookie of [undefined, `${SESSION}=not-a-jwt`]) {
        for (const path of ["/", "/login", "/register", "/forgot-password", "/no-such-page"]) {
          const html = await (await get(path, cookie)).text();
          const header = /<header class="site-header">([\s\S]*?)<\/header>/.exec(html)?.[1] ?? "";
          expect(header, path).toMatch(/<a href="\/login"[^>]*>Log in<\/a>/);
          expect(header, path).toMatch(/<a href="\/register"[^>]*>Sign up<\/a>/);
          expect(header, path).not.toContain("Logged in as");
          expect(header, path).not.toContain("Log out");
        }
      }
    });

    it("asks the API who is logged in once per page at most, and not at all without a cookie", async () => {
      const { cookie } = await signUp();
      const fetchSpy = vi.spyOn(globalThis, "fetch");
      const meCalls = () =>
        fetchSpy.mock.calls.filter(([url]) =>
          String(url instanceof Request ? url.url : url).endsWith("/api/v1/auth/me"),
        ).length;
      try {
        for (const path of [...PAGES, "/login", "/register"]) {
          fetchSpy.mockClear();
          await (await get(path, cookie)).text();
          expect(meCalls(), path).toBeLessThanOrEqual(1);
          fetchSpy.mockClear();
          await (await get(path)).text();
          expect(meCalls(), `${path} without a cookie`).toBe(0);
        }
        // The account pages ask once, as they did before the header said who is logged in.
        for (const path of ["/dashboard", "/account"]) {
          fetchSpy.mockClear();
          await (await get(path, cookie)).text();
          expect(meCalls(), path).toBe(1);
        }
      } finally {
        fetchSpy.mockRestore();
      }
    });

    it("/login and /register send someone logged in to the dashboard; with a dead cookie they show the form and drop it", async () => {
      const { cookie } = await signUp();
      for (const path of ["/login", "/register"]) {
        const res = await get(path, cookie);
        expect(res.status, path).toBe(303);
        expect(res.headers.get("location"), path).toBe("/dashboard");
        const dead = await get(path, `${SESSION}=${cookie.split(`${SESSION}=`)[1]?.split(";")[0]}x`);
        expect(dead.status, path).toBe(200);
        expect(setCookies(dead).get(SESSION), path).toMatch(CLEARED);
      }
    });
  });
});
