import { describe, expect, it } from "vitest";
import { totpCodeAt } from "../../src/mfa/totp.js";
import { uniqueEmail } from "../helpers.js";
import { accountClient, tokenOf } from "./support/account-http.js";
import { PASSWORD, SESSION } from "./support/pages.js";
import { useWebServer } from "./support/sites.js";
import { cookieHeader, setCookies, type WebServer } from "./web-server.js";

describe("/login's second step with TOTP on (SPEC §11, §12)", () => {
  let web: WebServer;
  useWebServer((started) => {
    web = started;
  });
  const { post, api } = accountClient(() => web);
  const INVALID_CODE = "Invalid authentication code.";

  async function userWithTotp() {
    const email = uniqueEmail("totp");
    const reg = await api("register", { body: { email, password: PASSWORD, firstName: "Ada", lastName: "Lovelace" } });
    const { token } = (await reg.json()) as { token: string };
    const { secret } = (await (await api("mfa/totp/setup", { token, body: {} })).json()) as { secret: string };
    const enabled = await api("mfa/totp/enable", {
      token,
      body: { code: totpCodeAt(secret, Date.now()), password: PASSWORD },
    });
    const { recoveryCodes } = (await enabled.json()) as { recoveryCodes: string[] };
    return { email, secret, recoveryCodes };
  }

  const hidden = (html: string, name: string) =>
    new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(html)?.[1];

  /** The password step: the page asking for the code, and its hidden fields. */
  async function passwordStep(email: string) {
    const res = await post("/login", { email, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual([]); // no session before the second factor
    const html = await res.text();
    const fields = {
      mfaToken: hidden(html, "mfaToken") ?? "",
      mfaIssuedAt: hidden(html, "mfaIssuedAt") ?? "",
      mfaFailures: hidden(html, "mfaFailures") ?? "",
      email: hidden(html, "email") ?? "",
    };
    expect(fields.mfaToken).not.toBe("");
    return { html, fields };
  }

  it("asks for the code after the password; a wrong code asks again; the next step's code signs in (303 /dashboard)", async () => {
    const { email, secret } = await userWithTotp();
    const { html, fields } = await passwordStep(email);
    expect(html).toContain("<h1>Enter your authentication code</h1>");
    expect(html).toContain("Enter the 6-digit code from your authenticator app, or a recovery code.");
    expect(html).toContain('<form method="post" action="/login" novalidate>');
    expect(html).toMatch(/<input[^>]*id="code"[^>]*name="code"[^>]*autocomplete="one-time-code"/);
    expect(html).not.toContain('name="password"');
    expect(fields.email).toBe(email);

    const wrong = await post("/login", { ...fields, code: "000000" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.getSetCookie()).toEqual([]);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain("<title>Error: Enter your authentication code");
    expect(wrongHtml).toContain(`<a href="#code">${INVALID_CODE}</a>`);
    expect(wrongHtml).toMatch(
      new RegExp(`id="code-error">\\s*<span class="visually-hidden">Error:</span> ${INVALID_CODE}`),
    );
    expect(hidden(wrongHtml, "mfaToken")).toBe(fields.mfaToken);
    expect(hidden(wrongHtml, "mfaFailures")).toBe("1");

    // The step used to enable TOTP is spent: the next one's code.
    const right = await post("/login", { ...fields, mfaFailures: "1", code: totpCodeAt(secret, Date.now() + 30_000) });
    expect(right.status).toBe(303);
    expect(right.headers.get("location")).toBe("/dashboard");
    const cookie = cookieHeader(right);
    expect(cookie).toContain(`${SESSION}=`);
    expect((await api("me", { token: tokenOf(cookie) })).status).toBe(200);

    // The ticket is used: posting it again signs nobody in (the API answers as for a wrong code).
    const reused = await post("/login", { ...fields, code: totpCodeAt(secret, Date.now() + 60_000) });
    expect(reused.status).toBe(401);
    expect(reused.headers.getSetCookie()).toEqual([]);
  });

  it("takes a recovery code, in capitals and without its dash", async () => {
    const { email, recoveryCodes } = await userWithTotp();
    const { fields } = await passwordStep(email);
    const code = (recoveryCodes[0] ?? "").replace("-", "").toUpperCase();
    const res = await post("/login", { ...fields, code });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard");
    expect(setCookies(res).has(SESSION)).toBe(true);
  });

  it("after the fifth wrong code, or with a ticket out of time, goes back to the password step with a message", async () => {
    const { email, secret } = await userWithTotp();
    const { fields } = await passwordStep(email);
    let current = fields;
    for (let i = 1; i <= 4; i++) {
      const res = await post("/login", { ...current, code: "000000" });
      const html = await res.text();
      expect(html, `try ${i}`).toContain(INVALID_CODE);
      current = { ...current, mfaFailures: hidden(html, "mfaFailures") ?? "" };
      expect(current.mfaFailures).toBe(String(i));
    }
    const fifth = await post("/login", { ...current, code: "000000" });
    expect(fifth.status).toBe(401);
    const fifthHtml = await fifth.text();
    expect(fifthHtml).toContain("<h1>Log in</h1>");
    expect(fifthHtml).toContain("Your log-in has timed out or had too many wrong codes.");
    expect(fifthHtml).toContain(`value="${email}"`);
    expect(fifthHtml).not.toContain('name="mfaToken"');
    // The API agrees: the ticket is spent, even with a good code.
    const spent = await api("mfa/verify", {
      body: { mfaToken: fields.mfaToken, code: totpCodeAt(secret, Date.now() + 30_000) },
    });
    expect(spent.status).toBe(401);

    const late = await post("/login", {
      mfaToken: "A".repeat(43),
      mfaIssuedAt: String(Date.now() - 6 * 60_000),
      mfaFailures: "0",
      email,
      code: "123456",
    });
    expect(late.status).toBe(401);
    expect(await late.text()).toContain("Your log-in has timed out or had too many wrong codes.");
  });

  it("refuses the code step from another origin (403)", async () => {
    const { email, secret } = await userWithTotp();
    const { fields } = await passwordStep(email);
    const code = totpCodeAt(secret, Date.now() + 30_000);
    const res = await post("/login", { ...fields, code }, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect((await post("/login", { ...fields, code })).status).toBe(303); // the ticket was left usable
  });
});
