import { describe, expect, it } from "vitest";
import type { TestSmtpServer } from "../../src/mail/test-support.js";
import { totpCodeAt } from "../../src/mfa/totp.js";
import { uniqueEmail } from "../helpers.js";
import { linkIn, waitForMail } from "../support/mail.js";
import { accountClient, tokenOf } from "./support/account-http.js";
import { CLEARED, PASSWORD, SESSION } from "./support/pages.js";
import { useSite } from "./support/sites.js";
import { cookieHeader, setCookies, type WebServer } from "./web-server.js";

/**
 * Issue 19, item 1 (SPEC §20), end to end over SMTP: TOTP turned on from the web page, the notice's
 * "This wasn't me" link opened (GET uses nothing), its button pressed: TOTP off, every session ended.
 */
describe('/remove-factor: the "This wasn\'t me" link (SPEC §20)', () => {
  let web: WebServer;
  let smtp: TestSmtpServer;
  useSite((site) => {
    ({ web, smtp } = site);
  });
  const { get, post, api, apiLogin, meStatus } = accountClient(() => web);

  it("enable TOTP → mail → link → button: two-factor off, every session logged out, the link used up", async () => {
    const email = uniqueEmail("notme");
    const cookie = cookieHeader(
      await post("/register", { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD }),
    );
    const other = await apiLogin(email);
    const setup = await (await get("/account/two-factor", cookie)).text();
    const secret = /<code class="secret" id="secret">([A-Z2-7 ]+)<\/code>/.exec(setup)?.[1]?.replaceAll(" ", "") ?? "";
    const on = await post(
      "/account/two-factor",
      { code: totpCodeAt(secret, Date.now()), password: PASSWORD },
      { cookie },
    );
    expect(on.status).toBe(200);

    const mail = await waitForMail(smtp, email, /Two-factor authentication is on/);
    expect(mail.html).toContain("This wasn&#39;t me");
    const link = linkIn(mail, "/remove-factor");
    for (const method of ["GET", "HEAD"] as const) {
      const res = await fetch(`${web.url}${link.path}`, { method, headers: { accept: "text/html" } });
      expect(res.status, method).toBe(200);
      expect(res.headers.get("referrer-policy"), method).toBe("no-referrer");
      expect(res.headers.get("cache-control"), method).toBe("no-store");
      if (method === "GET") {
        const html = await res.text();
        expect(html).toContain("<h1>Secure your account</h1>");
        expect(html).toContain('<form method="post" action="/remove-factor">');
        expect(html).toContain(`<input type="hidden" name="token" value="${link.token}">`);
        expect(html).toMatch(/<button[^>]*type="submit"[^>]*>Remove it and log out everywhere<\/button>/);
      }
    }
    // Opening the link changed nothing.
    expect(await meStatus(tokenOf(cookie))).toBe(200);

    const done = await post("/remove-factor", { token: link.token }, { cookie });
    expect(done.status).toBe(200);
    const html = await done.text();
    expect(html).toContain("Two-factor authentication has been turned off");
    expect(html).toContain("Every session of your account has been logged out.");
    expect(html).toContain('href="/forgot-password"');
    expect(setCookies(done).get(SESSION)).toMatch(CLEARED);
    expect(await meStatus(tokenOf(cookie))).toBe(401);
    expect(await meStatus(other)).toBe(401);
    // The password alone signs in again.
    const login = await api("login", { body: { email, password: PASSWORD } });
    expect(((await login.json()) as { mfaRequired?: boolean }).mfaRequired).toBeUndefined();

    const again = await post("/remove-factor", { token: link.token });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("<h1>This link is invalid or has expired</h1>");
  });
});
