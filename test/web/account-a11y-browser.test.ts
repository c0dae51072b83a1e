import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { totpCodeAt } from "../../src/mfa/totp.js";
import {
  findAxeViolations,
  HAVE_CHROMIUM,
  SKIP_CHROMIUM_REASON,
  saveScreenshot,
  sidewaysOverflow,
  useChromiumPages,
  VIEWPORTS,
  type ViewportName,
} from "./browser.js";
import { accountApi, passwordStep, signUp } from "./support/account-browser.js";
import { press, text } from "./support/browser-steps.js";
import { PASSWORD } from "./support/pages.js";

const IPHONE_SAFARI =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";

describe.skipIf(!HAVE_CHROMIUM)(
  `account and two-factor pages in Chromium (${HAVE_CHROMIUM ? "found" : SKIP_CHROMIUM_REASON})`,
  () => {
    const web = useChromiumPages({ javaScriptEnabled: false });
    const newPage = web.newPage;
    const { userWithTotp } = accountApi(() => web.url);

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
          await page.locator("#password").fill(PASSWORD);
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
