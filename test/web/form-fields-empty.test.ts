import { describe, expect, it } from "vitest";
import { totpCodeAt } from "../../src/mfa/totp.js";
import { uniqueEmail } from "../helpers.js";
import { PASSWORD, pageClient } from "./support/pages.js";
import { useSite } from "./support/sites.js";
import type { WebServer } from "./web-server.js";

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

describe("forms (issue 15, items 3 and 7)", () => {
  let web: WebServer;
  useSite((site) => {
    ({ web } = site);
  });
  const { post, signUp } = pageClient(() => web, "forms");

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
      expect((await call("mfa/totp/enable", { code: totpCodeAt(secret, Date.now()), password: PASSWORD })).status).toBe(
        200,
      );
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
      await expectMissing(await post("/account/two-factor", { code: "", password: "" }, cookie), {
        code: "Enter the 6-digit code from your authenticator app",
        password: "Enter your password",
      });
    });
  });
});
