import { describe, expect, it } from "vitest";
import { apiLogin, PASSWORD, registration, SESSION } from "./support/pages.js";
import { postForm, setCookies, startWebServer } from "./web-server.js";

describe("web client configuration", () => {
  it("sets the Secure flag on the session cookie when NODE_ENV=production", async () => {
    const origin = "https://portico.example"; // production requires PUBLIC_ORIGIN
    const web = await startWebServer({
      NODE_ENV: "production",
      BCRYPT_COST: "10",
      RATE_LIMIT: "on",
      PUBLIC_ORIGIN: origin,
      SMTP_URL: "smtp://127.0.0.1:25", // required in production; this test sends no mail
    });
    try {
      const res = await postForm(web.url, "/register", registration(), { origin });
      expect(res.status).toBe(303);
      expect(setCookies(res).get(`__Host-${SESSION}`)).toMatch(/; HttpOnly; Secure; SameSite=Lax$/);
    } finally {
      await web.close();
    }
  });

  it("checks Origin against PUBLIC_ORIGIN when it is set", async () => {
    const web = await startWebServer({ PUBLIC_ORIGIN: "https://portico.example/" });
    try {
      const send = (origin: string) => postForm(web.url, "/logout", {}, { origin });
      expect((await send(web.url)).status).toBe(403);
      expect((await send("https://portico.example")).status).toBe(303);
    } finally {
      await web.close();
    }
  });

  it("calls the API at API_BASE_URL, so pages and API can run apart", async () => {
    const api = await startWebServer();
    const pages = await startWebServer({ API_BASE_URL: api.url });
    try {
      const { email } = registration();
      const res = await postForm(pages.url, "/register", registration({ email }));
      expect(res.status).toBe(303);
      // The user lives in the API process's database, not in the pages process's.
      expect((await apiLogin(api.url, email)).status).toBe(200);
      expect((await apiLogin(pages.url, email)).status).toBe(401);
    } finally {
      await pages.close();
      await api.close();
    }
  });

  it("says the service is unavailable (503) when the API cannot be reached", async () => {
    const gone = await startWebServer();
    const deadUrl = gone.url;
    await gone.close();
    const pages = await startWebServer({ API_BASE_URL: deadUrl });
    try {
      const res = await postForm(pages.url, "/login", { email: "ada@example.com", password: PASSWORD });
      expect(res.status).toBe(503);
      expect(await res.text()).toContain("The service is temporarily unavailable.");
    } finally {
      await pages.close();
    }
  });
});
