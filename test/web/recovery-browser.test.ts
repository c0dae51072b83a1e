import type { Page, Request } from "playwright-core";
import { describe, expect, it } from "vitest";
import { startTestSmtpServer, type TestSmtpServer } from "../../src/mail/test-support.js";
import { uniqueEmail } from "../helpers.js";
import { linkIn, waitForMail } from "../support/mail.js";
import {
  fillRegistration,
  findAxeViolations,
  HAVE_CHROMIUM,
  isFocused,
  SKIP_CHROMIUM_REASON,
  saveScreenshot,
  sidewaysOverflow,
  useChromiumPages,
  VIEWPORTS,
  type ViewportName,
} from "./browser.js";
import { startWebServer, type WebServer } from "./web-server.js";

const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a brand new passphrase";

/** An element's text as a screen reader reads it: visually hidden parts included, spaces collapsed. */
async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? "").replace(/\s+/g, " ").trim();
}

/** A web server (API and pages) whose mail goes to an SMTP server in this process. */
interface Site {
  web: WebServer;
  smtp: TestSmtpServer;
}

async function startSite(env: Record<string, string> = {}): Promise<Site> {
  const smtp = await startTestSmtpServer();
  return { smtp, web: await startWebServer({ SMTP_URL: smtp.url, ...env }) };
}

async function stopSite(site: Site | undefined): Promise<void> {
  await site?.web.close();
  await site?.smtp.close();
}

/** Straight to the API: the account exists, a verification mail is on its way. */
async function apiRegister(site: Site, email: string): Promise<void> {
  const res = await fetch(`${site.web.url}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD, firstName: "Ada", lastName: "Lovelace" }),
  });
  expect(res.status).toBe(201);
}

async function apiForgot(site: Site, email: string): Promise<void> {
  const res = await fetch(`${site.web.url}/api/v1/auth/password/forgot`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email }),
  });
  expect(res.status).toBe(202);
}

/** The path of the link to `path` in the newest-but-`n` mail to `email` with that subject. */
async function linkFromMail(site: Site, email: string, subject: RegExp, path: string, n = 1): Promise<string> {
  return linkIn(await waitForMail(site.smtp, email, subject, n), path).path;
}

describe.skipIf(!HAVE_CHROMIUM)(
  `recovery pages in Chromium (${HAVE_CHROMIUM ? "found" : SKIP_CHROMIUM_REASON})`,
  () => {
    let site: Site;
    let required: Site;
    /** Two sites, one with EMAIL_VERIFICATION=required; the pages open on `site` unless told. */
    const web = useChromiumPages({
      javaScriptEnabled: false,
      async start() {
        [site, required] = await Promise.all([startSite(), startSite({ EMAIL_VERIFICATION: "required" })]);
        return { url: site.web.url, close: () => Promise.all([stopSite(site), stopSite(required)]) };
      },
    });

    /**
     * A fresh browser profile, by default with JavaScript switched off: every flow must work without
     * it. The screenshots are taken with it on, like web-browser.test.ts's.
     */
    function newPage(on: Site = site, viewport: ViewportName = "desktop", javaScriptEnabled = false): Promise<Page> {
      return web.newPage(viewport, javaScriptEnabled, on.web.url);
    }

    async function press(page: Page, button: string): Promise<void> {
      await Promise.all([
        page.waitForLoadState("load"),
        page.getByRole("button", { name: button, exact: true }).click(),
      ]);
      await page.waitForLoadState("load");
    }

    /** Records the form posts the page sends, with the headers the browser really put on them. */
    function recordPosts(page: Page): { path: string; headers: Record<string, string> }[] {
      const posts: { path: string; headers: Record<string, string> }[] = [];
      page.on("request", (request: Request) => {
        if (request.method() !== "POST") return;
        request.allHeaders().then((headers) => posts.push({ path: new URL(request.url()).pathname, headers }));
      });
      return posts;
    }

    it("signs up, opens the mail's link, presses “Confirm email address”: confirmed, from a no-referrer page", async () => {
      const page = await newPage();
      const email = uniqueEmail("verify");
      await page.goto("/register");
      await fillRegistration(page, { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
      await Promise.all([page.waitForURL("**/dashboard"), page.getByRole("button", { name: "Sign up" }).click()]);
      expect(await text(page, "dl.details")).toContain("Not confirmed");

      const link = await linkFromMail(site, email, /Confirm your email/, "/verify-email");
      const opened = await page.goto(link);
      expect(opened?.headers()["referrer-policy"]).toBe("no-referrer");
      expect(opened?.headers()["cache-control"]).toBe("no-store");
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Confirm your email address");

      const posts = recordPosts(page);
      await press(page, "Confirm email address");
      expect(await page.getByRole("status").textContent()).toContain("Your email address has been confirmed.");
      // Under no-referrer Chromium sends `Origin: null` with `Sec-Fetch-Site: same-origin`, no Referer.
      const post = posts.find((p) => p.path === "/verify-email");
      expect(post?.headers.origin).toBe("null");
      expect(post?.headers["sec-fetch-site"]).toBe("same-origin");
      expect(post?.headers.referer).toBeUndefined();

      await page.getByRole("link", { name: "Go to your dashboard" }).click();
      await page.waitForURL("**/dashboard");
      expect(await text(page, "dl.details")).toContain("Confirmed");
      expect(await page.getByRole("button", { name: "Resend verification email" }).count()).toBe(0);
    });

    it("forgot password → mail → reset link → a weak then a good new password → logs in with it", async () => {
      const email = uniqueEmail("reset");
      await apiRegister(site, email);
      const page = await newPage();
      await page.goto("/login");
      await page.getByRole("link", { name: "Forgot your password?" }).click();
      await page.waitForURL("**/forgot-password");
      await page.getByLabel("Email address").fill(email);
      await press(page, "Send link");
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Check your email");
      expect(await page.getByRole("status").textContent()).toContain(
        "If an account exists for that address, we have sent a link to reset the password.",
      );

      const link = await linkFromMail(site, email, /Reset your password/, "/reset-password");
      const opened = await page.goto(link);
      expect(opened?.headers()["referrer-policy"]).toBe("no-referrer");
      const posts = recordPosts(page);
      await page.getByLabel("New password").fill("short");
      await press(page, "Change password");
      expect(await page.title()).toMatch(/^Error: /);
      expect(await text(page, "#password-error")).toBe("Error: Password must be at least 8 characters.");
      expect(await isFocused(page.locator(".error-summary"))).toBe(true);

      // The form came back with the token: the second try, again from a no-referrer page, works.
      await page.getByLabel("New password").fill(NEW_PASSWORD);
      await Promise.all([
        page.waitForURL("**/login?reset=1"),
        page.getByRole("button", { name: "Change password" }).click(),
      ]);
      expect(posts.filter((p) => p.path === "/reset-password").map((p) => p.headers.origin)).toEqual(["null", "null"]);
      expect(await page.getByRole("status").textContent()).toContain(
        "Your password has been changed. Log in with your new password.",
      );

      await page.getByLabel("Email address").fill(email);
      await page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
      await Promise.all([
        page.waitForURL("**/dashboard"),
        page.getByRole("button", { name: "Log in", exact: true }).click(),
      ]);
      expect(await text(page, "dl.details")).toContain(email);
      // The reset proved the inbox: the address counts as confirmed.
      expect(await text(page, "dl.details")).toContain("Confirmed");
    });

    it("resends the verification email from the dashboard", async () => {
      const page = await newPage();
      const email = uniqueEmail("resend");
      await page.goto("/register");
      await fillRegistration(page, { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
      await Promise.all([page.waitForURL("**/dashboard"), page.getByRole("button", { name: "Sign up" }).click()]);
      await press(page, "Resend verification email");
      expect(await page.getByRole("status").textContent()).toContain(`We have sent a new link to ${email}.`);
      const link = await linkFromMail(site, email, /Confirm your email/, "/verify-email", 2);
      await page.goto(link);
      await press(page, "Confirm email address");
      expect(await page.getByRole("status").textContent()).toContain("Your email address has been confirmed.");
    });

    it("with EMAIL_VERIFICATION=required: sign-up says to check the email; log-in waits for the confirmation", async () => {
      const page = await newPage(required);
      const email = uniqueEmail("required");
      await page.goto("/register");
      await fillRegistration(page, { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
      await press(page, "Sign up");
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Check your email");
      expect(await page.context().cookies()).toEqual([]);

      await page.goto("/login");
      await page.getByLabel("Email address").fill(email);
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await press(page, "Log in");
      expect(await text(page, ".error-summary")).toContain("Confirm your email address first");

      await page.goto(await linkFromMail(required, email, /Confirm your email/, "/verify-email"));
      await press(page, "Confirm email address");
      await page.getByRole("link", { name: "Log in" }).last().click();
      await page.getByLabel("Email address").fill(email);
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await Promise.all([
        page.waitForURL("**/dashboard"),
        page.getByRole("button", { name: "Log in", exact: true }).click(),
      ]);
    });

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
