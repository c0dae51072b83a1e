import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPortico, startPortico } from "../src/portico.js";
import { WEB_DIST_DIR } from "../src/web/mount.js";
import { silentLogger, testConfig } from "./helpers.js";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const HAVE_WEB = existsSync(join(WEB_DIST_DIR, "server", "entry.mjs"));
const SKIP_REASON = !HAVE_CHROMIUM
  ? ` (skipped: no Chromium at ${CHROMIUM}; apt-get install chromium or set CHROMIUM_PATH)`
  : "";

interface Visit {
  violations: string[];
  offsite: string[];
}

/**
 * Opens a page in headless Chromium and records every Content-Security-Policy violation (the
 * browser's own report, caught before any page script runs) and every request to another origin.
 */
async function visit(
  browser: Browser,
  base: string,
  path: string,
  check: (page: Page) => Promise<void>,
): Promise<Visit> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const result: Visit = { violations: [], offsite: [] };
  // A string: it runs in the page, where `document` exists (this file is type-checked without the DOM).
  await page.addInitScript(`document.addEventListener("securitypolicyviolation", (event) => {
    console.error("CSP violation: " + event.violatedDirective + " " + event.blockedURI + " " + event.sourceFile + ":" + event.lineNumber);
  });`);
  page.on("console", (message) => {
    if (/CSP violation|Content Security Policy/i.test(message.text())) result.violations.push(message.text());
  });
  page.on("request", (request) => {
    if (!request.url().startsWith(base) && !request.url().startsWith("data:")) result.offsite.push(request.url());
  });
  try {
    await page.goto(`${base}${path}`, { waitUntil: "load" });
    await check(page);
  } finally {
    await context.close();
  }
  return result;
}

describe.skipIf(!HAVE_CHROMIUM)(`pages in a real browser under the strict CSP${SKIP_REASON}`, () => {
  let browser: Browser;
  let portico: RunningPortico;

  beforeAll(async () => {
    portico = await startPortico(testConfig({ PORT: "0", HOST: "127.0.0.1" }), silentLogger());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await portico?.shutdown();
  });

  it("renders the API reference from npm assets: no violation, nothing from another origin", async () => {
    const seen = await visit(browser, portico.url, "/api/v1/docs", async (page) => {
      await page.locator(".swagger-ui .info .title").filter({ hasText: "Portico API" }).waitFor({ timeout: 20_000 });
      expect(await page.locator(".opblock").count()).toBeGreaterThanOrEqual(5);
      // Open one operation: its responses (rendered by the same code) must show every status.
      await page.locator(".opblock-summary").filter({ hasText: "/api/v1/auth/register" }).first().click();
      for (const status of ["201", "400", "409", "413", "415", "422", "429", "500", "503"]) {
        await page
          .locator(".response-col_status")
          .filter({ hasText: new RegExp(`^${status}$`) })
          .first()
          .waitFor();
      }
    });
    expect(seen.violations).toEqual([]);
    expect(seen.offsite).toEqual([]);
  });

  it.skipIf(!HAVE_WEB)(
    `runs the web client's script and styles with no violation${HAVE_WEB ? "" : " (skipped: web/dist not built)"}`,
    async () => {
      for (const path of ["/", "/login"]) {
        const seen = await visit(browser, portico.url, path, async (page) => {
          // The stylesheet applied: the body is not the browser's default serif.
          const font = await page.evaluate<string>("getComputedStyle(document.body).fontFamily");
          expect(font).not.toMatch(/^"?Times/);
        });
        expect(seen.violations, path).toEqual([]);
        expect(seen.offsite, path).toEqual([]);
      }
      const seen = await visit(browser, portico.url, "/register", async (page) => {
        // The show-password toggle is hidden until its script runs: visible means the script ran.
        const toggle = page.locator("[data-password-toggle]");
        await toggle.waitFor({ state: "visible", timeout: 10_000 });
        await toggle.click();
        expect(await page.locator("#password").getAttribute("type")).toBe("text");
      });
      expect(seen.violations).toEqual([]);
      expect(seen.offsite).toEqual([]);
    },
  );
});
