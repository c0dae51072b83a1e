import type { Page, Request } from "playwright-core";
import { describe, expect, it } from "vitest";
import { uniqueEmail } from "../helpers.js";
import { fillRegistration, HAVE_CHROMIUM, isFocused, SKIP_CHROMIUM_REASON } from "./browser.js";
import { press, text } from "./support/browser-steps.js";
import { NEW_PASSWORD, PASSWORD } from "./support/pages.js";
import { apiRegister, linkFromMail, useRecoverySites } from "./support/recovery-browser.js";

describe.skipIf(!HAVE_CHROMIUM)(
  `recovery pages in Chromium (${HAVE_CHROMIUM ? "found" : SKIP_CHROMIUM_REASON})`,
  () => {
    /** Two sites, one with EMAIL_VERIFICATION=required; the pages open on `site` unless told. */
    const { site, required, newPage } = useRecoverySites();

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
  },
);
