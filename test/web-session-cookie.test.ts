import { describe, expect, it } from "vitest";
import { uniqueEmail } from "./helpers.js";
import { cookieHeader, postForm, setCookies, startWebServer } from "./web/web-server.js";

/** Issue 13, item 7: the session cookie is `__Host-portico_session` in production. */

const registration = () => ({
  email: uniqueEmail("host-cookie"),
  firstName: "Ada",
  lastName: "Lovelace",
  password: "correct horse battery staple",
});

describe("the session cookie's name", () => {
  it("is __Host-portico_session in production: Secure, Path=/, no Domain; the dashboard reads it; logout clears it", async () => {
    const origin = "https://portico.example";
    const web = await startWebServer({
      NODE_ENV: "production",
      BCRYPT_COST: "10",
      RATE_LIMIT: "on",
      PUBLIC_ORIGIN: origin,
      SMTP_URL: "smtp://127.0.0.1:25",
    });
    try {
      const res = await postForm(web.url, "/register", registration(), { origin });
      expect(res.status).toBe(303);
      const line = setCookies(res).get("__Host-portico_session") ?? "";
      expect(line).toMatch(/^__Host-portico_session=[^;]+; .*Path=\/;.* HttpOnly; Secure; SameSite=Lax$/);
      expect(line).not.toMatch(/Domain=/i);
      expect(setCookies(res).has("portico_session")).toBe(false);
      const cookie = cookieHeader(res);
      const dashboard = await fetch(`${web.url}/dashboard`, { redirect: "manual", headers: { cookie } });
      expect(dashboard.status).toBe(200);
      const out = await postForm(web.url, "/logout", {}, { origin, cookie });
      expect(setCookies(out).get("__Host-portico_session")).toMatch(/^__Host-portico_session=deleted;.*Secure/);
    } finally {
      await web.close();
    }
  });

  it("stays portico_session without Secure cookies (development over plain http)", async () => {
    const web = await startWebServer();
    try {
      const res = await postForm(web.url, "/register", registration());
      expect(res.status).toBe(303);
      expect([...setCookies(res).keys()]).toContain("portico_session");
      const dashboard = await fetch(`${web.url}/dashboard`, {
        redirect: "manual",
        headers: { cookie: cookieHeader(res) },
      });
      expect(dashboard.status).toBe(200);
    } finally {
      await web.close();
    }
  });
});
