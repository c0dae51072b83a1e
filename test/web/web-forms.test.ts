import jwt from "jsonwebtoken";
import { describe, expect, it } from "vitest";
import { TEST_JWT_SECRET } from "../helpers.js";
import { apiLogin, PASSWORD, registration, SESSION } from "./support/pages.js";
import { useWebServer } from "./support/sites.js";
import { cookieHeader, type PostInit, postForm, setCookies, type WebServer } from "./web-server.js";

const WEEK = 7 * 86_400;

/** The form handlers over plain HTTP: status, redirects, cookies, the Origin check. */
describe("web client over HTTP", () => {
  let web: WebServer;
  useWebServer((started) => {
    web = started;
  });

  function get(path: string, init: { cookie?: string; accept?: string } = {}) {
    return fetch(`${web.url}${path}`, {
      redirect: "manual",
      headers: { accept: init.accept ?? "text/html", ...(init.cookie && { cookie: init.cookie }) },
    });
  }

  const post = (path: string, fields: Record<string, string>, init: PostInit = {}) =>
    postForm(web.url, path, fields, init);

  async function registerAndGetCookie(fields = registration()) {
    const res = await post("/register", fields);
    expect(res.status).toBe(303);
    return { res, cookie: cookieHeader(res), fields };
  }

  it("serves the home, register and login pages as HTML", async () => {
    for (const [path, heading] of [
      ["/", "Welcome to Portico"],
      ["/register", "Sign up"],
      ["/login", "Log in"],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toMatch(/^text\/html/);
      expect(await res.text(), path).toContain(`<h1>${heading}</h1>`);
      // Under `no-referrer`, browsers send `Origin: null` on same-origin posts: every form would 403.
      expect(res.headers.get("referrer-policy"), path).toBe("same-origin");
    }
  });

  it("registers: 303 to /dashboard with an httpOnly, SameSite=Lax cookie that lives as long as the token", async () => {
    const { res } = await registerAndGetCookie();
    expect(res.headers.get("location")).toBe("/dashboard");
    const cookie = setCookies(res).get(SESSION) ?? "";
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\/(;|$)/);
    expect(cookie).not.toMatch(/; Secure/);
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(WEEK - 5);
    expect(maxAge).toBeLessThanOrEqual(WEEK);
    // The cookie holds the API's token: the API accepts it.
    const token = /^portico_session=([^;]+)/.exec(cookie)?.[1];
    const me = await fetch(`${web.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
  });

  it("greets once on the dashboard after registering, then shows the account without the greeting", async () => {
    const { res, cookie, fields } = await registerAndGetCookie(registration({ firstName: "Zoë", lastName: "O’Brien" }));
    const first = await get("/dashboard", { cookie });
    expect(first.status).toBe(200);
    const firstHtml = await first.text();
    expect(firstHtml).toContain("Registration successful! Welcome, Zoë.");
    expect(firstHtml).toContain(fields.email);
    expect(firstHtml).toContain("Zoë O’Brien");
    expect(firstHtml).toMatch(/<dt>Role<\/dt>\s*<dd>User<\/dd>/);
    expect(firstHtml).toMatch(/<dt>Member since<\/dt>\s*<dd>\s*<time datetime="\d{4}-\d\d-\d\dT/);
    expect(first.headers.get("cache-control")).toBe("no-store");
    // The browser would drop the welcome cookie now: send the session cookie only.
    expect(setCookies(first).get("portico_welcome")).toMatch(/Expires=Thu, 01 Jan 1970/);
    const sessionOnly = cookieHeader(res)
      .split("; ")
      .filter((c) => c.startsWith(`${SESSION}=`))
      .join("; ");
    const second = await get("/dashboard", { cookie: sessionOnly });
    const secondHtml = await second.text();
    expect(secondHtml).not.toContain("Registration successful");
    expect(secondHtml).toContain(fields.email);
  });

  it("answers a form with problems with 422, the values kept and never the password", async () => {
    const password = "a-password-that-must-not-come-back";
    const res = await post("/register", registration({ email: "not-an-email", firstName: "R2D2", password }));
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("Please enter a valid email address.");
    expect(html).toContain("Names must contain only letters.");
    expect(html).toContain('value="not-an-email"');
    expect(html).toContain('value="R2D2"');
    expect(html).not.toContain(password);
    expect(html).toContain("<title>Error: Sign up");
    expect(setCookies(res).has(SESSION)).toBe(false);
  });

  it("answers a registered e-mail with 409 and seed 001's message", async () => {
    const { fields } = await registerAndGetCookie();
    const res = await post("/register", registration({ email: fields.email.toUpperCase() }));
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("This email is already registered.");
  });

  it("logs in: 303 to /dashboard with the session cookie; a wrong password is 401 with the e-mail kept", async () => {
    const { fields } = await registerAndGetCookie();
    const wrong = await post("/login", { email: fields.email, password: "not the password at all" });
    expect(wrong.status).toBe(401);
    const html = await wrong.text();
    expect(html).toContain("Invalid email or password.");
    expect(html).toContain(`value="${fields.email}"`);
    expect(html).not.toContain("not the password at all");

    const ok = await post("/login", { email: fields.email, password: PASSWORD });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/dashboard");
    expect(setCookies(ok).get(SESSION)).toMatch(/HttpOnly; SameSite=Lax/);
    const dashboard = await get("/dashboard", { cookie: cookieHeader(ok) });
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).not.toContain("Registration successful");
  });

  it("logs out: clears the cookie and answers 303 to /", async () => {
    const { cookie } = await registerAndGetCookie();
    const res = await post("/logout", {}, { cookie });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
    expect(setCookies(res).get(SESSION)).toMatch(/^portico_session=deleted; Path=\/; Expires=Thu, 01 Jan 1970/);
  });

  it("logs out for real: the old cookie no longer opens the dashboard, nor the API", async () => {
    const { cookie } = await registerAndGetCookie();
    const token = cookie.match(/portico_session=([^;]+)/)?.[1] ?? "";
    expect((await get("/dashboard", { cookie })).status).toBe(200);
    expect((await post("/logout", {}, { cookie })).status).toBe(303);
    // A copy of the cookie kept from before (another tab, a stolen cookie) is dead too.
    const replay = await get("/dashboard", { cookie });
    expect(replay.status).toBe(303);
    expect(replay.headers.get("location")).toBe("/login?next=/dashboard");
    const me = await fetch(`${web.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(401);
  });

  it("refuses a form posted from another origin, or with no Origin, with 403 and changes nothing", async () => {
    const fields = registration();
    for (const origin of ["https://evil.example", "null", null]) {
      const res = await post("/register", fields, { origin });
      expect(res.status, String(origin)).toBe(403);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await res.text()).toContain("This form could not be sent");
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    expect((await apiLogin(web.url, fields.email)).status).toBe(401); // never registered

    const { cookie } = await registerAndGetCookie();
    expect(
      (await post("/login", { email: "a@b.example", password: PASSWORD }, { origin: "https://evil.example" })).status,
    ).toBe(403);
    const logout = await post("/logout", {}, { cookie, origin: "https://evil.example" });
    expect(logout.status).toBe(403);
    expect(logout.headers.getSetCookie()).toEqual([]);
  });

  it("sends /dashboard without a cookie to /login", async () => {
    const res = await get("/dashboard");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login?next=/dashboard");
  });

  it("sends an expired, tampered or unknown-user token to /login and clears the cookie", async () => {
    const { cookie } = await registerAndGetCookie();
    const token = cookie.match(/portico_session=([^;]+)/)?.[1] ?? "";
    const claims = jwt.decode(token) as jwt.JwtPayload;
    const issued = Number(claims.iat);
    const expired = jwt.sign({ ...claims, iat: issued - 2 * WEEK, exp: issued - WEEK }, TEST_JWT_SECRET);
    const tampered = `${token.slice(0, -4)}AAAA`;
    const unknownUser = jwt.sign({ ...claims, sub: crypto.randomUUID(), userId: crypto.randomUUID() }, TEST_JWT_SECRET);
    for (const [name, bad] of Object.entries({ expired, tampered, unknownUser, garbage: "not-a-jwt" })) {
      const res = await get("/dashboard", { cookie: `${SESSION}=${bad}` });
      expect(res.status, name).toBe(303);
      expect(res.headers.get("location"), name).toBe("/login?next=/dashboard");
      expect(setCookies(res).get(SESSION), name).toMatch(/^portico_session=deleted;.*Expires=Thu, 01 Jan 1970/);
    }
  });

  it("answers unknown pages with an HTML 404 for browsers and JSON for API clients", async () => {
    for (const path of ["/no-such-page", "/404", "/dashboard/extra"]) {
      const page = await get(path);
      expect(page.status, path).toBe(404);
      expect(page.headers.get("content-type"), path).toMatch(/^text\/html/);
      expect(await page.text(), path).toContain("Page not found");
    }

    const json = await get("/no-such-page", { accept: "application/json" });
    expect(json.status).toBe(404);
    expect(await json.json()).toMatchObject({ code: "NOT_FOUND" });

    const api = await get("/api/no-such-thing");
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("serves the stylesheet and script from /_astro/ with a year of immutable caching", async () => {
    const html = await (await get("/register")).text();
    const assets = [...html.matchAll(/(?:href|src)="(\/_astro\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.some((a) => a?.endsWith(".css"))).toBe(true);
    expect(assets.some((a) => a?.endsWith(".js"))).toBe(true);
    for (const asset of assets) {
      const res = await get(asset ?? "");
      expect(res.status, asset).toBe(200);
      expect(res.headers.get("cache-control"), asset).toBe("public, max-age=31536000, immutable");
    }
  });

  it("refuses a form body over 16 KiB with 413", async () => {
    const res = await post("/register", registration({ firstName: "A".repeat(17_000) }));
    expect(res.status).toBe(413);
  });
});
