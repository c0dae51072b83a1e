import { describe, expect, it, vi } from "vitest";
import { CLEARED, pageClient, SESSION } from "./support/pages.js";
import { useWebServer } from "./support/sites.js";
import { cookieHeader, setCookies, type WebServer } from "./web-server.js";

describe("the edges of a session (issue 15, item 5)", () => {
  let web: WebServer;
  useWebServer((started) => {
    web = started;
  });
  const { get, post, signUp } = pageClient(() => web, "edges");

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
