/**
 * The web client, measured in Chromium: each page's weight (HTML + CSS + JS bytes, as sent and
 * gzipped) and the time from pressing Sign up to the dashboard being rendered, at bcrypt cost 12.
 * Numbers only, no assertions: `npm run bench:web` (after `npm run build:web`), then copy the
 * tables into docs/WEB.md.
 *
 * The service runs in this process on an in-memory PGlite; the browser is Debian's chromium.
 */
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { createTestPortico, TEST_ENGINES, uniqueEmail } from "../test/helpers.js";
import { fillRegistration, HAVE_CHROMIUM, launchChromium, SKIP_CHROMIUM_REASON } from "../test/web/browser.js";

const RUNS = Number(process.env.RUNS ?? 7);
const PASSWORD = "correct horse battery staple";
const KINDS = ["document", "stylesheet", "script"] as const;
type Kind = (typeof KINDS)[number];

interface Weight {
  bytes: Record<Kind, number>;
  gzip: number;
}

async function register(page: Page, email: string) {
  await page.goto("/register");
  await fillRegistration(page, { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
  await Promise.all([
    page.waitForURL("**/dashboard"),
    page.getByRole("button", { name: "Sign up", exact: true }).click(),
  ]);
  await page.getByRole("status").waitFor();
}

/** Bytes of HTML, CSS and JS one page load fetches (a fresh context: nothing cached). */
async function weigh(browser: Browser, base: string, path: string): Promise<Weight> {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  if (path === "/dashboard") {
    // Signed in through the API, so that the page's CSS and JS are not in the cache yet.
    const res = await fetch(`${base}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        email: uniqueEmail("weight"),
        password: PASSWORD,
        firstName: "Ada",
        lastName: "Lovelace",
      }),
    });
    const { token } = (await res.json()) as { token: string };
    await context.addCookies([{ name: "portico_session", value: token, url: base }]);
  }
  const weight: Weight = { bytes: { document: 0, stylesheet: 0, script: 0 }, gzip: 0 };
  const pending: Promise<void>[] = [];
  page.on("response", (response) => {
    const kind = response.request().resourceType() as Kind;
    if (!KINDS.includes(kind) || (response.status() >= 300 && response.status() < 400)) return;
    pending.push(
      response.body().then((body) => {
        weight.bytes[kind] += body.length;
        weight.gzip += gzipSync(body).length;
      }),
    );
  });
  await page.goto(path, { waitUntil: "load" });
  await Promise.all(pending);
  await context.close();
  return weight;
}

interface Timing {
  /** Sign up pressed → the 303 is back (the register API, bcrypt included). */
  registered: number;
  /** Sign up pressed → the dashboard's load event (HTML, CSS and JS done, page rendered). */
  rendered: number;
}

/** Navigation Timing of the dashboard page, whose navigation began with the POST /register. */
async function timeRegistration(browser: Browser, base: string): Promise<Timing> {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  await register(page, uniqueEmail("timing"));
  await page.waitForLoadState("load");
  const entry = (await page.evaluate('JSON.stringify(performance.getEntriesByType("navigation")[0])')) as string;
  await context.close();
  const nav = JSON.parse(entry) as { startTime: number; redirectEnd: number; loadEventEnd: number };
  return { registered: nav.redirectEnd - nav.startTime, rendered: nav.loadEventEnd - nav.startTime };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

async function main() {
  if (!HAVE_CHROMIUM) throw new Error(SKIP_CHROMIUM_REASON);
  const engine = TEST_ENGINES[0];
  if (!engine) throw new Error("no database engine");
  const portico = await createTestPortico(await engine.open(), { BCRYPT_COST: "12" });
  const server = portico.app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  try {
    console.log("| page | HTML | CSS | JS | total | gzipped |\n|---|---:|---:|---:|---:|---:|");
    for (const path of ["/", "/register", "/login", "/dashboard", "/no-such-page"]) {
      const { bytes, gzip } = await weigh(browser, base, path);
      const total = bytes.document + bytes.stylesheet + bytes.script;
      console.log(
        `| \`${path}\` | ${bytes.document} B | ${bytes.stylesheet} B | ${bytes.script} B | ${kib(total)} | ${kib(gzip)} |`,
      );
    }

    await timeRegistration(browser, base); // warm-up: first render, JIT, connection pool
    const timings: Timing[] = [];
    for (let i = 0; i < RUNS; i++) timings.push(await timeRegistration(browser, base));
    const show = (pick: (t: Timing) => number) =>
      `${median(timings.map(pick)).toFixed(0)} ms (min ${Math.min(...timings.map(pick)).toFixed(0)}, max ${Math.max(...timings.map(pick)).toFixed(0)})`;
    console.log(`\nSign up pressed → dashboard rendered, bcrypt cost 12, median of ${RUNS}:`);
    console.log(`- 303 back from POST /register: ${show((t) => t.registered)}`);
    console.log(`- dashboard load event:         ${show((t) => t.rendered)}`);
  } finally {
    await browser.close();
    server.closeAllConnections();
    server.close();
    await portico.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
