import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSmtpServer, type TestSmtpServer } from "../../src/mail/test-support.js";
import { totpCodeAt } from "../../src/mfa/totp.js";
import { uniqueEmail } from "../helpers.js";
import { linkIn, waitForMail } from "../support/mail.js";
import { cookieHeader, postForm, setCookies, startWebServer, type WebServer } from "./web-server.js";

const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a brand new passphrase";
/** Seed 001's sentence: the error summary says it once for all the empty fields. */
const MISSING = "Please fill in all required fields.";

/** The message beside a field (the GOV.UK pattern), or undefined when it has none. */
function fieldError(html: string, id: string): string | undefined {
  return new RegExp(`id="${id}-error">\\s*<span class="visually-hidden">Error:</span> ([^<]*?)\\s*</p>`).exec(
    html,
  )?.[1];
}

/** The error summary's items: text and link. */
function summary(html: string): { text: string; href: string | undefined }[] {
  const box = /<div class="error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? "";
  return [...box.matchAll(/<li>(?:<a href="([^"]*)">)?([^<]*)/g)].map((m) => ({ text: m[2] ?? "", href: m[1] }));
}

/** Every <input> of the page that carries an autocomplete token: name → token. */
function autocompleteTokens(html: string): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const [input] of html.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input)?.[1];
    const id = /id="([^"]*)"/.exec(input)?.[1];
    const token = /autocomplete="([^"]*)"/.exec(input)?.[1];
    if (name && token) tokens.set(id ?? name, token);
  }
  return tokens;
}

/** The hidden `username` input of the form that sets a password, or undefined. */
function usernameInput(html: string): string | undefined {
  return /<input type="email" name="username"[^>]*>/.exec(html)?.[0];
}

describe("forms (issue 15, items 3 and 7)", () => {
  let web: WebServer;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    web = await startWebServer({ SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    await web?.close();
    await smtp?.close();
  });

  const get = (path: string, cookie?: string) =>
    fetch(`${web.url}${path}`, { redirect: "manual", headers: { accept: "text/html", ...(cookie && { cookie }) } });
  const post = (path: string, fields: Record<string, string>, cookie?: string) =>
    postForm(web.url, path, fields, cookie ? { cookie } : {});

  async function signUp() {
    const email = uniqueEmail("forms");
    const res = await post("/register", { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
    expect(res.status).toBe(303);
    return { email, cookie: cookieHeader(res) };
  }

  /** Posts a form and checks the GOV.UK pattern for its empty fields; returns the page. */
  async function expectMissing(
    res: Response,
    beside: Record<string, string>,
    others: Record<string, string> = {},
  ): Promise<string> {
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/<title>Error: /);
    for (const [id, message] of Object.entries({ ...beside, ...others })) {
      expect(fieldError(html, id), id).toBe(message);
      expect(html, id).toMatch(new RegExp(`id="${id}"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*${id}-error`));
    }
    const items = summary(html);
    // Seed 001's sentence, once, in the summary only, linked to the first empty field.
    expect(items.filter((item) => item.text === MISSING)).toEqual([
      { text: MISSING, href: `#${Object.keys(beside)[0]}` },
    ]);
    expect(html.split(MISSING).length - 1).toBe(1);
    for (const message of Object.values(beside)) expect(items.map((item) => item.text)).not.toContain(message);
    return html;
  }

  describe("one message per field: an empty field says what it needs", () => {
    it("register, all four empty", async () => {
      const res = await post("/register", { email: "", firstName: "", lastName: "", password: "" });
      await expectMissing(res, {
        email: "Enter your email address",
        firstName: "Enter your first name",
        lastName: "Enter your last name",
        password: "Enter a password",
      });
    });

    it("register, one empty among others with other problems", async () => {
      const res = await post("/register", { email: "ada@", firstName: "Ada", lastName: "", password: "short" });
      const html = await expectMissing(
        res,
        { lastName: "Enter your last name" },
        { email: "Please enter a valid email address.", password: "Password must be at least 8 characters." },
      );
      expect(fieldError(html, "firstName")).toBeUndefined();
      expect(summary(html)).toEqual([
        { text: "Please enter a valid email address.", href: "#email" },
        { text: MISSING, href: "#lastName" },
        { text: "Password must be at least 8 characters.", href: "#password" },
      ]);
    });

    it("login", async () => {
      await expectMissing(await post("/login", { email: "", password: "" }), {
        email: "Enter your email address",
        password: "Enter your password",
      });
      const { email } = await signUp();
      await expectMissing(await post("/login", { email, password: "" }), { password: "Enter your password" });
    });

    it("login's code step", async () => {
      const reg = await fetch(`${web.url}/api/v1/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          email: uniqueEmail("forms"),
          password: PASSWORD,
          firstName: "Ada",
          lastName: "Lovelace",
        }),
      });
      const { token, user } = (await reg.json()) as { token: string; user: { email: string } };
      const call = (path: string, body: object) =>
        fetch(`${web.url}/api/v1/auth/${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        });
      const { secret } = (await (await call("mfa/totp/setup", {})).json()) as { secret: string };
      expect((await call("mfa/totp/enable", { code: totpCodeAt(secret, Date.now()) })).status).toBe(200);
      const step = await (await post("/login", { email: user.email, password: PASSWORD })).text();
      const mfaToken = /name="mfaToken" value="([^"]*)"/.exec(step)?.[1] ?? "";
      const res = await post("/login", { mfaToken, mfaIssuedAt: String(Date.now()), mfaFailures: "0", code: "" });
      await expectMissing(res, { code: "Enter the code from your authenticator app, or a recovery code" });
    });

    it("forgot-password and reset-password", async () => {
      await expectMissing(await post("/forgot-password", { email: "" }), { email: "Enter your email address" });
      await expectMissing(await post("/reset-password", { token: "a".repeat(43), password: "" }), {
        password: "Enter a new password",
      });
    });

    it("the account forms and two-factor setup", async () => {
      const { cookie } = await signUp();
      await expectMissing(await post("/account", { action: "change-password" }, cookie), {
        currentPassword: "Enter your current password",
        newPassword: "Enter a new password",
      });
      await expectMissing(await post("/account", { action: "change-email", newEmail: "", password: "" }, cookie), {
        newEmail: "Enter your new email address",
        "email-password": "Enter your password",
      });
      await expectMissing(await post("/account", { action: "delete-account", confirm: "yes", password: "" }, cookie), {
        "delete-password": "Enter your password",
      });
      await expectMissing(await post("/account/two-factor", { code: "" }, cookie), {
        code: "Enter the 6-digit code from your authenticator app",
      });
    });
  });

  describe("password managers", () => {
    it("keeps each field's autocomplete token", async () => {
      const { cookie } = await signUp();
      const expected: [string, Record<string, string>, string?][] = [
        ["/register", { email: "email", firstName: "given-name", lastName: "family-name", password: "new-password" }],
        ["/login", { email: "email", password: "current-password" }],
        ["/forgot-password", { email: "email" }],
        ["/reset-password?token=abc", { password: "new-password" }],
        [
          "/account",
          {
            username: "username",
            currentPassword: "current-password",
            newPassword: "new-password",
            newEmail: "email",
            "email-password": "current-password",
            "delete-password": "current-password",
          },
          cookie,
        ],
        ["/account/two-factor", { code: "one-time-code" }, cookie],
      ];
      for (const [path, tokens, withCookie] of expected) {
        const found = autocompleteTokens(await (await get(path, withCookie)).text());
        for (const [id, token] of Object.entries(tokens)) expect(found.get(id), `${path} #${id}`).toBe(token);
      }
      const step = await post("/login", { email: "a@example.com", password: "" });
      expect(autocompleteTokens(await step.text()).get("email")).toBe("email");
    });

    it("change password on /account names the account in a hidden username field", async () => {
      const { email, cookie } = await signUp();
      const html = await (await get("/account", cookie)).text();
      const form = /<form[^>]*>\s*<input type="hidden" name="action" value="change-password">[\s\S]*?<\/form>/.exec(
        html,
      )?.[0];
      expect(form).toBeDefined();
      const username = usernameInput(form ?? "");
      expect(username).toBe(
        `<input type="email" name="username" value="${email}" autocomplete="username" readonly hidden>`,
      );
      // Before the password fields, as password managers read a form.
      expect(form?.indexOf(username ?? "?")).toBeLessThan(form?.indexOf('name="newPassword"') ?? -1);
    });

    it("reset-password names the account typed into /forgot-password in this browser, until the reset is done", async () => {
      const { email } = await signUp();
      const asked = await post("/forgot-password", { email: email.toUpperCase() });
      expect(asked.status).toBe(200);
      const remembered = setCookies(asked).get("portico_reset_for") ?? "";
      expect(remembered).toMatch(/; Path=\/reset-password/);
      expect(remembered).toMatch(/; HttpOnly/);
      expect(remembered).toMatch(/; SameSite=Lax/);
      const browser = cookieHeader(asked);
      const link = linkIn(await waitForMail(smtp, email, /Reset your password/), "/reset-password");

      const page = await (await get(link.path, browser)).text();
      const form = /<form method="post" action="\/reset-password"[\s\S]*?<\/form>/.exec(page)?.[0] ?? "";
      expect(usernameInput(form)).toBe(
        `<input type="email" name="username" value="${email}" autocomplete="username" readonly hidden>`,
      );
      expect(form.indexOf('name="username"')).toBeLessThan(form.indexOf('name="password"'));
      // Opened in another browser (no cookie): nothing to say, so no field rather than a wrong one.
      expect(usernameInput(await (await get(link.path)).text())).toBeUndefined();
      // A weak password brings the form back with it.
      const weak = await post("/reset-password", { token: link.token, password: "short" }, browser);
      expect(weak.status).toBe(422);
      expect(usernameInput(await weak.text())).toContain(`value="${email}"`);
      // Done: the address is forgotten.
      const done = await post("/reset-password", { token: link.token, password: NEW_PASSWORD }, browser);
      expect(done.status).toBe(303);
      expect(setCookies(done).get("portico_reset_for")).toMatch(/Expires=Thu, 01 Jan 1970/);
    });

    it("the link page of an invalid link has no password form and no username", async () => {
      const html = await (await get("/reset-password")).text();
      expect(html).not.toContain('name="password"');
      expect(usernameInput(html)).toBeUndefined();
    });
  });
});
