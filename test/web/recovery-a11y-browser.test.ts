import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  fillRegistration,
  findAxeViolations,
  HAVE_CHROMIUM,
  SKIP_CHROMIUM_REASON,
  saveScreenshot,
  sidewaysOverflow,
  VIEWPORTS,
  type ViewportName,
} from "./browser.js";
import { press } from "./support/browser-steps.js";
import { PASSWORD } from "./support/pages.js";
import { apiForgot, apiRegister, linkFromMail, useRecoverySites } from "./support/recovery-browser.js";
import type { Site } from "./support/sites.js";

describe.skipIf(!HAVE_CHROMIUM)(
  `recovery pages in Chromium (${HAVE_CHROMIUM ? "found" : SKIP_CHROMIUM_REASON})`,
  () => {
    /** Two sites, one with EMAIL_VERIFICATION=required; the pages open on `site` unless told. */
    const { site, required, newPage } = useRecoverySites();

    /** Each new page in each state worth seeing; `open` leaves the page showing it. */
    const PAGES: { name: string; open(page: Page, viewport: ViewportName): Promise<unknown>; on?: () => Site }[] = [
      {
        name: "verify-email",
        open: async (page, viewport) => {
          const email = `verify.${viewport}@example.com`;
          await apiRegister(site, email);
          await page.goto(await linkFromMail(site, email, /Confirm your email/, "/verify-email"));
        },
      },
      {
        name: "verify-email-confirmed",
        open: async (page, viewport) => {
          const email = `confirmed.${viewport}@example.com`;
          await apiRegister(site, email);
          await page.goto(await linkFromMail(site, email, /Confirm your email/, "/verify-email"));
          await press(page, "Confirm email address");
        },
      },
      { name: "verify-email-invalid", open: (page) => page.goto(`/verify-email?token=${"A".repeat(43)}`) },
      { name: "forgot-password", open: (page) => page.goto("/forgot-password") },
      {
        name: "forgot-password-errors",
        open: async (page) => {
          await page.goto("/forgot-password");
          await page.getByLabel("Email address").fill("ada@example");
          await press(page, "Send link");
        },
      },
      {
        name: "forgot-password-sent",
        open: async (page) => {
          await page.goto("/forgot-password");
          await page.getByLabel("Email address").fill("ada@example.com");
          await press(page, "Send link");
        },
      },
      {
        name: "reset-password",
        open: async (page, viewport) => {
          const email = `reset.${viewport}@example.com`;
          await apiRegister(site, email);
          await apiForgot(site, email);
          await page.goto(await linkFromMail(site, email, /Reset your password/, "/reset-password"));
        },
      },
      {
        name: "reset-password-errors",
        open: async (page, viewport) => {
          const email = `reset.errors.${viewport}@example.com`;
          await apiRegister(site, email);
          await apiForgot(site, email);
          await page.goto(await linkFromMail(site, email, /Reset your password/, "/reset-password"));
          await page.getByLabel("New password").fill("password");
          await press(page, "Change password");
        },
      },
      { name: "reset-password-invalid", open: (page) => page.goto(`/reset-password?token=${"A".repeat(43)}`) },
      { name: "login-password-changed", open: (page) => page.goto("/login?reset=1") },
      {
        name: "login-not-verified",
        on: () => required,
        open: async (page, viewport) => {
          const email = `unverified.${viewport}@example.com`;
          await apiRegister(required, email);
          await page.goto("/login");
          await page.getByLabel("Email address").fill(email);
          await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
          await press(page, "Log in");
        },
      },
      {
        name: "register-check-email",
        on: () => required,
        open: async (page, viewport) => {
          await page.goto("/register");
          const email = `ada.lovelace.${viewport}@example.com`;
          await fillRegistration(page, { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
          await press(page, "Sign up");
        },
      },
      {
        name: "dashboard-resent",
        open: async (page, viewport) => {
          await page.goto("/register");
          const email = `ada.resent.${viewport}@example.com`;
          await fillRegistration(page, { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
          await Promise.all([page.waitForURL("**/dashboard"), page.getByRole("button", { name: "Sign up" }).click()]);
          await press(page, "Resend verification email");
        },
      },
    ];

    describe.each(Object.keys(VIEWPORTS) as ViewportName[])("at %s width", (viewport) => {
      it.each(PAGES)("$name: no axe violations, no sideways scrolling; screenshot", async ({ name, open, on }) => {
        const page = await newPage(on?.() ?? site, viewport, true);
        await open(page, viewport);
        expect(await findAxeViolations(page)).toEqual([]);
        expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
        await saveScreenshot(page, `${name}-${viewport}`);
      });
    });
  },
);
