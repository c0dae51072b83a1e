import { describe, expect, it } from "vitest";
import type { TestSmtpServer } from "../../src/mail/test-support.js";
import { linkIn, waitForMail } from "../support/mail.js";
import { NEW_PASSWORD, pageClient } from "./support/pages.js";
import { useSite } from "./support/sites.js";
import { cookieHeader, setCookies, type WebServer } from "./web-server.js";

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
  useSite((site) => {
    ({ web, smtp } = site);
  });
  const { get, post, signUp } = pageClient(() => web, "forms");

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
        ["/account/two-factor", { code: "one-time-code", password: "current-password" }, cookie],
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
