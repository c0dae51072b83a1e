import { describe, expect, it } from "vitest";
import { totpCodeAt } from "../../src/mfa/totp.js";
import { uniqueEmail } from "../helpers.js";
import { CLEARED, PASSWORD, pageClient, SESSION } from "./support/pages.js";
import { useWebServer } from "./support/sites.js";
import { cookieHeader, setCookies, type WebServer } from "./web-server.js";

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
  useWebServer((started) => {
    web = started;
  });
  const { get, post } = pageClient(() => web, "edges");
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
      expect(
        (await api("mfa/totp/enable", { code: totpCodeAt(secret, Date.now()), password: PASSWORD }, token)).status,
      ).toBe(200);

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
});
