import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { totpCodeAt } from "../../src/mfa/totp.js";
import { uniqueEmail } from "../helpers.js";
import {
  fillRegistration,
  findAxeViolations,
  HAVE_CHROMIUM,
  isFocused,
  SKIP_CHROMIUM_REASON,
  saveScreenshot,
  sidewaysOverflow,
  tabTo,
  useChromiumPages,
  VIEWPORTS,
  type ViewportName,
} from "./browser.js";

const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a brand new passphrase";
const IPHONE_SAFARI =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? "").replace(/\s+/g, " ").trim();
}

describe.skipIf(!HAVE_CHROMIUM)(
  `account and two-factor pages in Chromium (${HAVE_CHROMIUM ? "found" : SKIP_CHROMIUM_REASON})`,
  () => {
    const web = useChromiumPages({ javaScriptEnabled: false });
    const newPage = web.newPage;

    async function press(page: Page, button: string | RegExp): Promise<void> {
      await Promise.all([
        page.waitForLoadState("load"),
        page.getByRole("button", { name: button, exact: typeof button === "string" }).click(),
      ]);
      await page.waitForLoadState("load");
    }

    async function api(path: string, body: object, token?: string): Promise<Response> {
      return fetch(`${web.url}/api/v1/auth/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify(body),
      });
    }

    /** Signs up in the page: it ends on the dashboard, signed in. */
    async function signUp(page: Page, email = uniqueEmail("account")): Promise<string> {
      await page.goto("/register");
      await fillRegistration(page, { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
      await Promise.all([page.waitForURL("**/dashboard"), page.getByRole("button", { name: "Sign up" }).click()]);
      return email;
    }

    /** Another session of the user, from the API (an "other device"). */
    async function otherSession(email: string, password = PASSWORD): Promise<string> {
      const res = await api("login", { email, password });
      expect(res.status).toBe(200);
      return ((await res.json()) as { token: string }).token;
    }

    /** A user with TOTP on, made through the API: the address and the secret. */
    async function userWithTotp(email = uniqueEmail("totp")): Promise<{ email: string; secret: string }> {
      const reg = await api("register", { email, password: PASSWORD, firstName: "Ada", lastName: "Lovelace" });
      const { token } = (await reg.json()) as { token: string };
      const { secret } = (await (await api("mfa/totp/setup", {}, token)).json()) as { secret: string };
      expect((await api("mfa/totp/enable", { code: totpCodeAt(secret, Date.now()) }, token)).status).toBe(200);
      return { email, secret };
    }

    async function passwordStep(page: Page, email: string): Promise<void> {
      await page.goto("/login");
      await page.getByLabel("Email address").fill(email);
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await press(page, "Log in");
    }

    it("without JavaScript: from the dashboard to /account; a wrong password, then a good change; signs out the others", async () => {
      const page = await newPage();
      const email = await signUp(page);
      const other = await otherSession(email);
      await Promise.all([page.waitForURL("**/account"), page.getByRole("link", { name: "Account settings" }).click()]);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Account settings");
      expect(await page.locator(".session").count()).toBe(2);
      expect(await text(page, ".session:has(.tag)")).toContain("This device");

      await page.getByLabel("Current password").fill("not my password");
      await page.getByLabel("New password").fill(NEW_PASSWORD);
      await press(page, "Change password");
      expect(await page.title()).toBe("Error: Account settings – Portico");
      expect(await isFocused(page.locator(".error-summary"))).toBe(true);
      expect(await text(page, "#currentPassword-error")).toBe("Error: Current password is incorrect.");
      await page.getByRole("link", { name: "Current password is incorrect." }).click();
      expect(await isFocused(page.locator("#currentPassword"))).toBe(true);

      await page.getByLabel("Current password").fill(PASSWORD);
      await page.getByLabel("New password").fill(NEW_PASSWORD);
      await press(page, "Change password");
      expect(page.url()).toMatch(/\/account\?done=password$/);
      expect(await page.getByRole("status").textContent()).toContain("Your password has been changed.");
      // The other session ended with the change: only this device is left.
      expect(await page.locator(".session").count()).toBe(1);
      const another = await otherSession(email, NEW_PASSWORD);
      expect(another).not.toBe(other);
      await page.reload();
      await press(page, "Log out of all other sessions");
      expect(await page.getByRole("status").textContent()).toContain("All your other sessions have been logged out.");
      expect(await text(page, "#activity-title + p + ol")).toContain("Password changed");
    });

    it("keyboard only, with JavaScript: tabs to the password form, types, submits with Enter", async () => {
      const page = await newPage("desktop", true);
      await signUp(page);
      await page.goto("/account");
      await tabTo(page, (el) => el.id === "currentPassword");
      await page.keyboard.type(PASSWORD);
      await tabTo(page, (el) => el.id === "newPassword");
      await page.keyboard.type(NEW_PASSWORD);
      await tabTo(page, (el) => el.tag === "button" && el.text === "Change password");
      await Promise.all([page.waitForURL("**/account?done=password"), page.keyboard.press("Enter")]);
      expect(await page.getByRole("status").textContent()).toContain("Your password has been changed.");
      // The delete form: tick with Space, submit with Enter.
      await page.locator("#delete-password").focus();
      await page.keyboard.type(NEW_PASSWORD);
      await tabTo(page, (el) => el.id === "delete-confirm");
      await page.keyboard.press("Space");
      await tabTo(page, (el) => el.tag === "button" && el.text === "Delete my account");
      await Promise.all([page.waitForURL("**/?deleted=1"), page.keyboard.press("Enter")]);
      expect(await page.getByRole("status").textContent()).toContain("Your account has been deleted.");
    });

    it("sets up TOTP: the QR code is an inline SVG image, the key types in, the recovery codes show once", async () => {
      const page = await newPage();
      const email = await signUp(page);
      await page.goto("/account");
      await Promise.all([
        page.waitForURL("**/account/two-factor"),
        page.getByRole("link", { name: "Set up two-factor authentication" }).click(),
      ]);
      const qr = page.getByRole("img", { name: "QR code to add Portico to your authenticator app" });
      expect(await qr.evaluate((el) => el.tagName.toLowerCase())).toBe("svg");
      const box = await qr.boundingBox();
      expect(box?.width).toBeGreaterThan(150);
      const secret = (await text(page, "#secret")).replaceAll(" ", "");

      await page.getByLabel("6-digit code").fill("000000");
      await press(page, "Turn on two-factor authentication");
      expect(await text(page, "#code-error")).toBe("Error: Invalid authentication code.");
      await page.getByLabel("6-digit code").fill(totpCodeAt(secret, Date.now()));
      await press(page, "Turn on two-factor authentication");
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Save your recovery codes");
      expect(await page.getByRole("list", { name: "Recovery codes" }).locator("li").count()).toBe(10);
      await Promise.all([page.waitForURL("**/account?done=totp-on"), page.getByRole("link", { name: "Done" }).click()]);
      expect(await page.getByRole("status").textContent()).toContain("Two-factor authentication is on.");

      // The next log-in asks for the code.
      await page.context().clearCookies();
      await passwordStep(page, email);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Enter your authentication code");
    });

    it("logs in with the code step: a wrong code, then the right one", async () => {
      const { email, secret } = await userWithTotp();
      const page = await newPage();
      await passwordStep(page, email);
      expect(await page.context().cookies()).toEqual([]);
      await page.getByLabel("Authentication code").fill("000000");
      await press(page, "Continue");
      expect(await page.title()).toMatch(/^Error: Enter your authentication code/);
      expect(await text(page, "#code-error")).toBe("Error: Invalid authentication code.");
      await page.getByLabel("Authentication code").fill(totpCodeAt(secret, Date.now() + 30_000));
      await Promise.all([page.waitForURL("**/dashboard"), page.getByRole("button", { name: "Continue" }).click()]);
      expect(await text(page, "dl.details")).toContain(email);
    });

    /** Each page in each state worth seeing; `open` leaves the page showing it. */
    const PAGES: { name: string; open(page: Page, viewport: ViewportName): Promise<unknown> }[] = [
      {
        name: "account",
        open: async (page, viewport) => {
          // Sessions and events from three devices: this browser, an iPhone and a Windows PC.
          const email = `ada.account.${viewport}@example.com`;
          const from = (userAgent: string, path: string, body: object) =>
            fetch(`${web.url}/api/v1/auth/${path}`, {
              method: "POST",
              headers: { "content-type": "application/json", "user-agent": userAgent },
              body: JSON.stringify(body),
            });
          await from(WINDOWS_FIREFOX, "register", {
            email,
            password: PASSWORD,
            firstName: "Ada",
            lastName: "Lovelace",
          });
          await from(IPHONE_SAFARI, "login", { email, password: "wrong password" });
          await from(IPHONE_SAFARI, "login", { email, password: PASSWORD });
          await passwordStep(page, email);
          await page.goto("/account");
          expect(await text(page, ".session:has(.tag)")).toContain("Chrome on Linux This device");
          expect(await text(page, ".activity")).toContain("Safari on iPhone");
          expect(await text(page, ".activity")).toContain("Firefox on Windows");
        },
      },
      {
        name: "account-errors",
        open: async (page, viewport) => {
          await signUp(page, `ada.errors.${viewport}@example.com`);
          await page.goto("/account");
          await page.getByLabel("Current password").fill("not my password");
          await page.getByLabel("New password").fill("short");
          await press(page, "Change password");
        },
      },
      {
        name: "account-delete-errors",
        open: async (page, viewport) => {
          await signUp(page, `ada.delete.${viewport}@example.com`);
          await page.goto("/account");
          await page.locator("#delete-password").fill(PASSWORD);
          await press(page, "Delete my account");
        },
      },
      {
        name: "account-two-factor-on",
        open: async (page, viewport) => {
          const { email, secret } = await userWithTotp(`ada.on.${viewport}@example.com`);
          await passwordStep(page, email);
          await page.getByLabel("Authentication code").fill(totpCodeAt(secret, Date.now() + 30_000));
          await Promise.all([page.waitForURL("**/dashboard"), page.getByRole("button", { name: "Continue" }).click()]);
          await page.goto("/account#two-factor-title");
        },
      },
      {
        name: "two-factor-setup",
        open: async (page, viewport) => {
          await signUp(page, `ada.setup.${viewport}@example.com`);
          await page.goto("/account/two-factor");
        },
      },
      {
        name: "two-factor-setup-errors",
        open: async (page, viewport) => {
          await signUp(page, `ada.setup.errors.${viewport}@example.com`);
          await page.goto("/account/two-factor");
          await page.getByLabel("6-digit code").fill("12345");
          await press(page, "Turn on two-factor authentication");
        },
      },
      {
        name: "recovery-codes",
        open: async (page, viewport) => {
          await signUp(page, `ada.codes.${viewport}@example.com`);
          await page.goto("/account/two-factor");
          const secret = (await text(page, "#secret")).replaceAll(" ", "");
          await page.getByLabel("6-digit code").fill(totpCodeAt(secret, Date.now()));
          await press(page, "Turn on two-factor authentication");
        },
      },
      {
        name: "login-code",
        open: async (page, viewport) => {
          const { email } = await userWithTotp(`ada.code.${viewport}@example.com`);
          await passwordStep(page, email);
        },
      },
      {
        name: "login-code-errors",
        open: async (page, viewport) => {
          const { email } = await userWithTotp(`ada.code.errors.${viewport}@example.com`);
          await passwordStep(page, email);
          await page.getByLabel("Authentication code").fill("000000");
          await press(page, "Continue");
        },
      },
      { name: "confirm-email-invalid", open: (page) => page.goto(`/confirm-email?token=${"A".repeat(43)}`) },
    ];

    describe.each(Object.keys(VIEWPORTS) as ViewportName[])("at %s width", (viewport) => {
      it.each(PAGES)("$name: no axe violations, no sideways scrolling; screenshot", async ({ name, open }) => {
        const page = await newPage(viewport, true);
        await open(page, viewport);
        expect(await findAxeViolations(page)).toEqual([]);
        expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
        await saveScreenshot(page, `${name}-${viewport}`);
      });
    });
  },
);
