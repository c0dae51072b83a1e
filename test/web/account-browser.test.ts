import { describe, expect, it } from "vitest";
import { totpCodeAt } from "../../src/mfa/totp.js";
import { HAVE_CHROMIUM, isFocused, SKIP_CHROMIUM_REASON, tabTo, useChromiumPages } from "./browser.js";
import { accountApi, passwordStep, signUp } from "./support/account-browser.js";
import { press, text } from "./support/browser-steps.js";
import { NEW_PASSWORD, PASSWORD } from "./support/pages.js";

describe.skipIf(!HAVE_CHROMIUM)(
  `account and two-factor pages in Chromium (${HAVE_CHROMIUM ? "found" : SKIP_CHROMIUM_REASON})`,
  () => {
    const web = useChromiumPages({ javaScriptEnabled: false });
    const newPage = web.newPage;
    const { otherSession, userWithTotp } = accountApi(() => web.url);

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

      // SPEC §20: the password is asked for too; a wrong one keeps TOTP off.
      await page.getByLabel("6-digit code").fill(totpCodeAt(secret, Date.now()));
      await page.locator("#password").fill("not the password");
      await press(page, "Turn on two-factor authentication");
      expect(await text(page, "#password-error")).toBe("Error: Current password is incorrect.");
      await page.getByLabel("6-digit code").fill("000000");
      await page.locator("#password").fill(PASSWORD);
      await press(page, "Turn on two-factor authentication");
      expect(await text(page, "#code-error")).toBe("Error: Invalid authentication code.");
      await page.getByLabel("6-digit code").fill(totpCodeAt(secret, Date.now()));
      await page.locator("#password").fill(PASSWORD);
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
  },
);
