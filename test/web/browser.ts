import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";
import { startWebServer, type WebServer } from "./web-server.js";

/** Debian's chromium (`.ci/run` installs it); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM_PATH);
export const SKIP_CHROMIUM_REASON = `skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 360, height: 740 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

/**
 * Screenshots go to docs/screenshots when UPDATE_SCREENSHOTS=1 (`npm run screenshots`), else to
 * a temporary folder: a plain test run never rewrites files that git tracks.
 */
export const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS
  ? join(import.meta.dirname, "..", "..", "docs", "screenshots")
  : join(tmpdir(), "portico-screenshots");

/** Headless Chromium with a fresh profile, nothing talking to the network but the pages. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

// The functions below that run in the page see the DOM; the tests' tsconfig has no DOM library,
// so they declare, for this module only, the little of it they touch.
interface DomElement {
  id: string;
  tagName: string;
  textContent: string | null;
  closest(selector: string): DomElement | null;
}
declare const document: {
  activeElement: DomElement | null;
  body: DomElement;
  documentElement: { scrollWidth: number };
};
declare const window: { innerWidth: number; axe: { run(...args: unknown[]): Promise<{ violations: unknown[] }> } };
declare function getComputedStyle(el: DomElement): { outlineStyle: string; outlineWidth: string };

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core's violations of WCAG 2.0–2.2 A/AA and its best practices on the page as it is now.
 * Evaluated through DevTools, so a Content-Security-Policy cannot block it.
 */
export async function findAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
      resultTypes: ["violations"],
    });
    return (
      result.violations as { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[]
    ).map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
  });
}

export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** What has the focus: enough to recognise an element and to see whether its focus shows. */
export interface Focused {
  tag: string;
  id: string;
  text: string;
  inMain: boolean;
  /** The focus indicator: outline width in px (0 when none). */
  outline: number;
}

export function focused(page: Page): Promise<Focused | null> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      text: (el.textContent ?? "").trim().replace(/\s+/g, " "),
      inMain: el.closest("main") !== null,
      outline: style.outlineStyle === "none" ? 0 : Number.parseFloat(style.outlineWidth),
    };
  });
}

/**
 * Presses Tab until `wanted` says yes, checking on the way that every focused element shows
 * its focus (an outline of at least 2 px). Fails after `max` presses.
 */
export async function tabTo(page: Page, wanted: (el: Focused) => boolean, max = 25): Promise<Focused> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const el = await focused(page);
    if (!el) continue;
    if (el.outline < 2) throw new Error(`focus is not visible on <${el.tag} id="${el.id}"> "${el.text}"`);
    if (wanted(el)) return el;
  }
  throw new Error(`Tab never reached the element after ${max} presses`);
}

/** True when the element has the focus. */
export function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === document.activeElement);
}

/** How far the page is wider than the window, in px (0 or less: nothing to scroll sideways). */
export function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

export interface RegistrationValues {
  email?: string;
  firstName?: string;
  lastName?: string;
  password?: string;
}

/** Types into the register form's four fields, found by their labels (absent values: empty). */
export async function fillRegistration(page: Page, values: RegistrationValues): Promise<void> {
  await page.getByLabel("Email address").fill(values.email ?? "");
  await page.getByLabel("First name").fill(values.firstName ?? "");
  await page.getByLabel("Last name").fill(values.lastName ?? "");
  await page.getByLabel("Password", { exact: true }).fill(values.password ?? "");
}

/** What the pages are served from: the whole service by default (startWebServer). */
interface Served {
  /** The address the pages open relative to, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  close(): Promise<unknown>;
}

interface ChromiumPagesOptions {
  /** Each page's default; newPage can say otherwise. */
  javaScriptEnabled: boolean;
  /** Chromium with other switches than launchChromium's. */
  launch?: () => Promise<Browser>;
}

/** One server and one Chromium for a describe block, with a fresh profile per page. */
export interface ChromiumPages<S extends Served = WebServer> {
  /** The server's address (after beforeAll). */
  readonly url: string;
  /** The server (after beforeAll). */
  readonly server: S;
  /** A page in a new profile (no cookies), closed after the test; `baseURL` another server's address. */
  newPage(viewport?: ViewportName, javaScriptEnabled?: boolean, baseURL?: string): Promise<Page>;
}

/**
 * Registers the hooks every browser test file needs (start the server and Chromium, close each
 * test's profiles, stop both), and hands out pages. Call it inside the describe block. `start`
 * serves the pages some other way (other settings, more servers); it is closed at the end.
 */
export function useChromiumPages(options: ChromiumPagesOptions): ChromiumPages;
export function useChromiumPages<S extends Served>(
  options: ChromiumPagesOptions & { start: () => Promise<S> },
): ChromiumPages<S>;
export function useChromiumPages(
  options: ChromiumPagesOptions & { start?: () => Promise<Served> },
): ChromiumPages<Served> {
  const { start = () => startWebServer(), launch = launchChromium } = options;
  let server: Served | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    [server, browser] = await Promise.all([start(), launch()]);
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  const started = () => server as Served;
  return {
    get url() {
      return started().url;
    },
    get server() {
      return started();
    },
    async newPage(viewport = "desktop", javaScriptEnabled = options.javaScriptEnabled, baseURL = started().url) {
      const context = await (browser as Browser).newContext({
        baseURL,
        viewport: VIEWPORTS[viewport],
        javaScriptEnabled,
      });
      contexts.push(context);
      return context.newPage();
    },
  };
}
