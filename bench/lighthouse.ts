/**
 * `npm run bench:lighthouse`: Lighthouse's four scores for every page of the web client, mobile
 * and desktop, against the built service (PGlite in a temporary directory) and Debian's
 * Chromium. Signed-in pages are audited with a session cookie. Lighthouse is not a dependency
 * of the project: give its binary with LIGHTHOUSE (e.g. after `npm install lighthouse@12.8` in
 * a temporary folder; 12.8 runs on Node 20, 13.x needs Node 22.19).
 *
 *   LIGHTHOUSE=<folder>/node_modules/.bin/lighthouse CHROMIUM_PATH=/usr/bin/chromium npm run bench:lighthouse
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startServer } from "./lib/server.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lighthouse = process.env.LIGHTHOUSE ?? "lighthouse";
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"] as const;

const PUBLIC_PAGES = [
  "/",
  "/register",
  "/login",
  "/login?next=/account",
  "/forgot-password",
  "/reset-password?token=x",
  "/verify-email?token=x",
  "/confirm-email?token=x",
  "/logout",
];
// Lighthouse does not audit a page answered 404 ("unable to reliably load"): the HTML 404 page is
// checked by axe in test/web instead.
const SIGNED_IN_PAGES = ["/dashboard", "/account", "/account/two-factor"];

async function audit(url: string, preset: "mobile" | "desktop", cookie?: string): Promise<Record<string, number>> {
  const out = join(mkdtempSync(join(tmpdir(), "portico-lh-")), "report.json");
  const args = [
    url,
    "--quiet",
    "--output=json",
    `--output-path=${out}`,
    `--only-categories=${CATEGORIES.join(",")}`,
    `--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run`,
    ...(preset === "desktop" ? ["--preset=desktop"] : []),
    ...(cookie ? [`--extra-headers=${JSON.stringify({ Cookie: cookie })}`] : []),
  ];
  await promisify(execFile)(lighthouse, args, { env: { ...process.env, CHROME_PATH: chromium }, timeout: 180_000 });
  const report = JSON.parse(readFileSync(out, "utf8")) as { categories: Record<string, { score: number | null }> };
  rmSync(dirname(out), { recursive: true, force: true });
  return Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((report.categories[c]?.score ?? 0) * 100)]));
}

async function main() {
  const workDir = mkdtempSync(join(tmpdir(), "portico-lighthouse-"));
  const server = await startServer({
    cwd: root,
    logFile: join(workDir, "server.log"),
    env: { DATA_DIR: join(workDir, "data"), JWT_SECRET: randomBytes(32).toString("hex"), NODE_ENV: "development" },
  });
  try {
    const email = `lighthouse-${randomBytes(4).toString("hex")}@example.com`;
    const res = await fetch(`${server.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "correct horse battery staple", firstName: "Ada", lastName: "Lovelace" }),
    });
    const { token } = (await res.json()) as { token: string };
    const cookie = `portico_session=${token}`;
    console.log(`| page | mobile (perf / a11y / best practices / SEO) | desktop |`);
    console.log(`|---|---|---|`);
    const only = process.env.PAGES?.split(",");
    for (const [path, withCookie] of [
      ...PUBLIC_PAGES.map((p) => [p, false] as const),
      ...SIGNED_IN_PAGES.map((p) => [p, true] as const),
    ].filter(([p]) => !only || only.includes(p))) {
      const scores = [];
      for (const preset of ["mobile", "desktop"] as const) {
        const s = await audit(`${server.url}${path}`, preset, withCookie ? cookie : undefined);
        scores.push(CATEGORIES.map((c) => s[c]).join(" / "));
      }
      console.log(`| \`${path}\`${withCookie ? " (logged in)" : ""} | ${scores[0]} | ${scores[1]} |`);
    }
  } finally {
    await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
