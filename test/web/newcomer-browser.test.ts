import { type Browser, chromium, type Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { uniqueEmail } from "../helpers.js";
import { CHROMIUM_PATH, fillRegistration, HAVE_CHROMIUM, SKIP_CHROMIUM_REASON, useChromiumPages } from "./browser.js";

const PASSWORD = "correct horse battery staple";

/**
 * Chromium as people use it: Playwright switches the back-forward cache off by default
 * (`--disable-back-forward-cache`), which would hide the very thing tested here.
 */
function launchChromiumWithBackForwardCache(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    ignoreDefaultArgs: ["--disable-back-forward-cache"],
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
}

declare const document: { body: { innerText: string } };

/** What the page shows now (the page's own text, not a stale DOM snapshot). */
function visibleText(page: Page): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: what is rendered, not what the DOM holds (a hidden body shows nothing)
  return page.evaluate(() => document.body.innerText);
}

describe.skipIf(!HAVE_CHROMIUM)(`pages after logout (${HAVE_CHROMIUM ? "Chromium" : SKIP_CHROMIUM_REASON})`, () => {
  const web = useChromiumPages({ javaScriptEnabled: true, launch: launchChromiumWithBackForwardCache });
  const newPage = web.newPage;

  /** Registers through the form and lands on the dashboard; returns the e-mail shown there. */
  async function registerAndOpenDashboard(page: Page): Promise<string> {
    const email = uniqueEmail("back");
    await page.goto("/register");
    await fillRegistration(page, { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
    await Promise.all([page.waitForURL("**/dashboard"), page.getByRole("button", { name: "Sign up" }).click()]);
    expect(await visibleText(page)).toContain(email);
    return email;
  }

  async function logOut(page: Page): Promise<void> {
    await Promise.all([page.waitForURL(`${web.url}/`), page.getByRole("button", { name: "Log out" }).click()]);
  }

  /** Back, then wait until whatever Back leads to (a restore, a reload, a redirect) has settled. */
  async function goBackAndSettle(page: Page): Promise<void> {
    // "commit": a page restored from the back-forward cache fires no load event, and Playwright
    // would wait for one until the test times out.
    await page.goBack({ waitUntil: "commit", timeout: 5_000 });
    await page.waitForTimeout(500);
    await page.waitForLoadState("load", { timeout: 5_000 }).catch(() => undefined);
  }

  for (const javaScriptEnabled of [true, false]) {
    const js = javaScriptEnabled ? "with JavaScript" : "without JavaScript";

    it(`Back after Log out shows no account data but the login page (${js})`, async () => {
      const page = await newPage("desktop", javaScriptEnabled);
      const email = await registerAndOpenDashboard(page);
      await logOut(page);

      await goBackAndSettle(page);
      const shown = await visibleText(page);
      expect(shown).not.toContain(email);
      expect(shown).not.toContain("Ada Lovelace");
      expect(shown).not.toContain("Registration successful");
      expect(new URL(page.url()).pathname).toBe("/login");
    });

    it(`Back through history after Log out shows neither /account nor /dashboard (${js})`, async () => {
      const page = await newPage("desktop", javaScriptEnabled);
      const email = await registerAndOpenDashboard(page);
      await Promise.all([page.waitForURL("**/account"), page.getByRole("link", { name: "Account settings" }).click()]);
      expect(await visibleText(page)).toContain(email);
      await page.goto("/dashboard");
      await logOut(page);

      for (const step of ["/dashboard", "/account", "/dashboard"]) {
        await goBackAndSettle(page);
        const shown = await visibleText(page);
        expect(shown, `back to ${step}`).not.toContain(email);
        expect(shown, `back to ${step}`).not.toContain("Ada Lovelace");
      }
    });
  }

  it("reloads a signed-in page that Back restores from the back-forward cache (JavaScript)", async () => {
    const page = await newPage();
    await registerAndOpenDashboard(page);
    await page.goto("/");
    const asked: string[] = [];
    page.on("request", (request) => asked.push(new URL(request.url()).pathname));
    await goBackAndSettle(page);
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    expect(asked).toContain("/dashboard");
    expect(await visibleText(page)).toContain("Your account");
  });
});
