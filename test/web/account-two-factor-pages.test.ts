import { describe, expect, it } from "vitest";
import { totpCodeAt } from "../../src/mfa/totp.js";
import { uniqueEmail } from "../helpers.js";
import { accountClient, tokenOf } from "./support/account-http.js";
import { PASSWORD } from "./support/pages.js";
import { useWebServer } from "./support/sites.js";
import { cookieHeader, type WebServer } from "./web-server.js";

describe("/account/two-factor: turning TOTP on (SPEC §11, §12)", () => {
  let web: WebServer;
  useWebServer((started) => {
    web = started;
  });
  const { get, post, api, apiLogin, meStatus } = accountClient(() => web);

  async function signUp() {
    const email = uniqueEmail("setup");
    const res = await post("/register", { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
    return { email, cookie: cookieHeader(res) };
  }

  /** The base32 secret shown on the page (grouped in fours). */
  const secretIn = (html: string) =>
    /<code class="secret" id="secret">([A-Z2-7 ]+)<\/code>/.exec(html)?.[1]?.replaceAll(" ", "");

  it("shows a server-drawn QR code and the key; a wrong code comes back with the error; the right one shows ten recovery codes once", async () => {
    const { email, cookie } = await signUp();
    const other = await apiLogin(email);
    expect((await get("/account/two-factor")).headers.get("location")).toBe("/login?next=/account/two-factor");

    const page = await get("/account/two-factor", cookie);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    const html = await page.text();
    expect(html).toMatch(
      /<svg role="img" aria-label="QR code to add Portico to your authenticator app"[^>]*viewBox="0 0 \d+ \d+"/,
    );
    expect(html).not.toContain("<img");
    expect(html).not.toContain("data:image");
    const secret = secretIn(html) ?? "";
    expect(secret.length).toBeGreaterThanOrEqual(16);
    expect(html).toMatch(/<code class="secret" id="secret">([A-Z2-7]{4} )+[A-Z2-7]{1,4}<\/code>/);
    expect(html).toContain('<form method="post" action="/account/two-factor" novalidate>');
    expect(html).toMatch(/<input[^>]*name="code"[^>]*autocomplete="one-time-code" inputmode="numeric"/);
    // SPEC §20: the form asks for the current password too (a session alone never turns TOTP on).
    expect(html).toMatch(/<input[^>]*name="password"[^>]*autocomplete="current-password"/);
    expect(html).toMatch(/<label class="label" for="password">Your password<\/label>/);
    // The POST carries the code and the password: the secret is nowhere in the form.
    const form = html.slice(html.indexOf('<form method="post" action="/account/two-factor"'), html.indexOf("</form>"));
    expect(form).not.toContain(secret);
    expect(form).not.toContain('type="hidden"');

    const noPassword = await post("/account/two-factor", { code: totpCodeAt(secret, Date.now()) }, { cookie });
    expect(noPassword.status).toBe(422);
    expect(await noPassword.text()).toContain('id="password-error"');
    const wrongPassword = await post(
      "/account/two-factor",
      { code: totpCodeAt(secret, Date.now()), password: "not the password" },
      { cookie },
    );
    expect(wrongPassword.status).toBe(403);
    const wrongPasswordHtml = await wrongPassword.text();
    expect(wrongPasswordHtml).toContain('<a href="#password">Current password is incorrect.</a>');
    expect(wrongPasswordHtml).toContain('id="password-error"');
    expect(((await (await api("mfa", { token: tokenOf(cookie) })).json()) as { totp: boolean }).totp).toBe(false);

    const wrong = await post("/account/two-factor", { code: "000000", password: PASSWORD }, { cookie });
    expect(wrong.status).toBe(401);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain("<title>Error: Set up two-factor authentication");
    expect(wrongHtml).toContain('<a href="#code">Invalid authentication code.</a>');
    expect(wrongHtml).toContain('id="code-error"');
    expect(wrongHtml).toContain('href="/account/two-factor">Show the QR code again</a>');

    const right = await post(
      "/account/two-factor",
      { code: totpCodeAt(secret, Date.now()), password: PASSWORD },
      { cookie },
    );
    expect(right.status).toBe(200);
    const rightHtml = await right.text();
    expect(rightHtml).toContain("<h1>Save your recovery codes</h1>");
    const codes = [...rightHtml.matchAll(/<li>([a-z0-9]{5}-[a-z0-9]{5})<\/li>/g)].map((m) => m[1]);
    expect(codes).toHaveLength(10);
    expect(rightHtml).toContain("We will not show them again.");
    expect(rightHtml).toContain('href="/account?done=totp-on"');
    expect(await meStatus(tokenOf(cookie))).toBe(200);
    expect(await meStatus(other)).toBe(401); // enabling ends the other sessions

    // On now: the set-up page sends back to /account, which says so.
    const again = await get("/account/two-factor", cookie);
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe("/account");
    const account = await (await get("/account?done=totp-on", cookie)).text();
    expect(account).toContain("Two-factor authentication is on.");
    expect(account).toContain('<span class="tag tag--done">On</span>');
    const login = await api("login", { body: { email, password: PASSWORD } });
    expect(((await login.json()) as { mfaRequired?: boolean }).mfaRequired).toBe(true);
  });

  it("a second visit (a reload, another tab) shows the same key: the code from the key scanned first turns TOTP on", async () => {
    const { cookie } = await signUp();
    const first = secretIn(await (await get("/account/two-factor", cookie)).text()) ?? "";
    const second = secretIn(await (await get("/account/two-factor", cookie)).text()) ?? "";
    expect(first.length).toBeGreaterThanOrEqual(16);
    expect(second).toBe(first);
    expect(
      (await post("/account/two-factor", { code: totpCodeAt(first, Date.now()), password: PASSWORD }, { cookie }))
        .status,
    ).toBe(200);
  });

  it("refuses the code from another origin (403)", async () => {
    const { cookie } = await signUp();
    const secret = secretIn(await (await get("/account/two-factor", cookie)).text()) ?? "";
    const res = await post(
      "/account/two-factor",
      { code: totpCodeAt(secret, Date.now()), password: PASSWORD },
      { cookie, origin: "https://evil.example" },
    );
    expect(res.status).toBe(403);
    expect(((await (await api("mfa", { token: tokenOf(cookie) })).json()) as { totp: boolean }).totp).toBe(false);
  });
});
