import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { uniqueEmail } from "../helpers.js";
import {
  fillRegistration,
  findAxeViolations,
  HAVE_CHROMIUM,
  SKIP_CHROMIUM_REASON,
  saveScreenshot,
  sidewaysOverflow,
  useChromiumPages,
  VIEWPORTS,
  type ViewportName,
} from "./browser.js";
import { text } from "./support/browser-steps.js";
import { PASSWORD } from "./support/pages.js";

describe.skipIf(!HAVE_CHROMIUM)(
  `the edges of a session in Chromium (issue 15, items 3 and 5; ${HAVE_CHROMIUM ? "found" : SKIP_CHROMIUM_REASON})`,
  () => {
    const web = useChromiumPages({ javaScriptEnabled: true });
    const newPage = web.newPage;

    /** A user made through the API: this browser has no cookie yet. */
    async function apiUser(email = uniqueEmail("edges")): Promise<string> {
      const res = await fetch(`${web.url}/api/v1/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: PASSWORD, firstName: "Ada", lastName: "Lovelace" }),
      });
      expect(res.status).toBe(201);
      return email;
    }

    async function logIn(page: Page, email: string, landing: string): Promise<void> {
      await page.getByLabel("Email address").fill(email);
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await Promise.all([
        page.waitForURL(`**${landing}`),
        page.getByRole("button", { name: "Log in", exact: true }).click(),
      ]);
    }

    for (const javaScriptEnabled of [true, false]) {
      const js = javaScriptEnabled ? "with JavaScript" : "without JavaScript";

      it(`a signed-out visit to /account says why, comes back after logging in, and the header says who (${js})`, async () => {
        const page = await newPage("desktop", javaScriptEnabled);
        const email = await apiUser();
        await page.goto("/account");
        expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe("/login?next=/account");
        expect(await page.getByRole("status").textContent()).toContain("Log in to see your account.");
        const header = page.getByRole("navigation", { name: "Account" });
        expect(await header.getByRole("link", { name: "Log in" }).isVisible()).toBe(true);
        expect(await header.getByRole("link", { name: "Sign up" }).isVisible()).toBe(true);

        await logIn(page, email, "/account");
        expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Account settings");
        expect(await text(page, ".site-user")).toBe(`Logged in as ${email}`);
        expect(await header.getByRole("link", { name: "Log in" }).count()).toBe(0);

        // Logged in, /login and /register go to the dashboard.
        await page.goto("/login");
        expect(new URL(page.url()).pathname).toBe("/dashboard");
        await page.goto("/register");
        expect(new URL(page.url()).pathname).toBe("/dashboard");

        await Promise.all([page.waitForURL(`${web.url}/`), header.getByRole("button", { name: "Log out" }).click()]);
        expect(await page.getByRole("status").textContent()).toContain("You have logged out.");
        expect(await header.getByRole("link", { name: "Log in" }).isVisible()).toBe(true);
        // Once: a reload says nothing more.
        await page.reload();
        expect(await page.getByRole("status").count()).toBe(0);
      });
    }

    it("an empty form: seed 001's sentence once in the summary, what is missing beside each field", async () => {
      const page = await newPage();
      await page.goto("/register");
      await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Sign up" }).click()]);
      await page.waitForLoadState("load");
      const summary = page.locator(".error-summary");
      expect(await summary.getByRole("link").allTextContents()).toEqual(["Please fill in all required fields."]);
      expect(await page.getByText("Please fill in all required fields.").count()).toBe(1);
      for (const [id, message] of [
        ["email", "Enter your email address"],
        ["firstName", "Enter your first name"],
        ["lastName", "Enter your last name"],
        ["password", "Enter a password"],
      ]) {
        expect(await text(page, `#${id}-error`)).toBe(`Error: ${message}`);
        // What a screen reader says on the field: its label, then the message.
        expect(await page.locator(`#${id}`).getAttribute("aria-describedby")).toContain(`${id}-error`);
      }
    });

    it("a very long address in the header wraps on a phone instead of scrolling sideways", async () => {
      const page = await newPage("phone");
      const email = await apiUser(uniqueEmail("ada.augusta.king.countess.of.lovelace"));
      await page.goto("/login");
      await logIn(page, email, "/dashboard");
      expect(await text(page, ".site-user")).toBe(`Logged in as ${email}`);
      expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    });

    /** The pages this issue changed, in the state worth seeing. */
    const PAGES: { name: string; open(page: Page, viewport: ViewportName): Promise<unknown> }[] = [
      { name: "login-next", open: (page) => page.goto("/account") },
      {
        name: "register-missing",
        open: async (page) => {
          await page.goto("/register");
          await fillRegistration(page, { email: "", firstName: "Ada", lastName: "", password: "" });
          await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Sign up" }).click()]);
          await page.waitForLoadState("load");
        },
      },
      {
        name: "header-logged-in",
        open: async (page, viewport) => {
          const email = await apiUser(`ada.lovelace.${viewport}@example.com`);
          await page.goto("/login");
          await logIn(page, email, "/dashboard");
        },
      },
      {
        name: "logged-out",
        open: async (page) => {
          const email = await apiUser();
          await page.goto("/login");
          await logIn(page, email, "/dashboard");
          await Promise.all([page.waitForURL(`${web.url}/`), page.getByRole("button", { name: "Log out" }).click()]);
        },
      },
    ];

    describe.each(Object.keys(VIEWPORTS) as ViewportName[])("at %s width", (viewport) => {
      it.each(PAGES)("$name: no axe violations, no sideways scrolling; screenshot", async ({ name, open }) => {
        const page = await newPage(viewport);
        await open(page, viewport);
        expect(await findAxeViolations(page)).toEqual([]);
        expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
        await saveScreenshot(page, `${name}-${viewport}`);
      });
    });
  },
);
