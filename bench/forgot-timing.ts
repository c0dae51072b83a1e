/**
 * `npx tsx bench/forgot-timing.ts [--pairs=200] [--engine=pglite|postgres]`: does a forgot-password
 * request for a KNOWN address slow down the NEXT request (issue 19, item 7)? The reset mail's
 * delivery (claim, SMTP, mark sent) is work that only a known address causes; when it starts at
 * the request's commit it lands on the request right after.
 *
 * Pairs, alternating: a forgot request for a known (or an unknown) address, then at once a timed
 * forgot request for another unknown address. Prints the median of the timed request after each
 * kind. One in-process Portico (HTTP over loopback, RATE_LIMIT=off so no cap hides the mail) and a
 * local SMTP sink. Bounded: `pairs` pairs. BENCH_DATABASE_URL: the server for --engine=postgres.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config.js";
import type { Database } from "../src/db/index.js";
import { openPglite } from "../src/db/pglite.js";
import { startTestSmtpServer } from "../src/mail/test-support.js";
import { createLogger } from "../src/ops/logger.js";
import { createPortico } from "../src/portico.js";
import { createFreshDatabase } from "./lib/database.js";
import { median } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: { pairs: { type: "string", default: "200" }, engine: { type: "string", default: "pglite" } },
});
const PAIRS = Number(args.pairs);
const PG_BASE = process.env.BENCH_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";

async function openDatabase(): Promise<{ database: Database; url?: string; drop?: () => Promise<void> }> {
  if (args.engine !== "postgres") return { database: await openPglite({ dataDir: undefined }) };
  const fresh = await createFreshDatabase(PG_BASE);
  const { openPostgres } = await import("../src/db/postgres.js");
  return { database: openPostgres({ url: fresh.url, poolMax: 10, timeoutMs: 5000 }), drop: fresh.drop };
}

type Post = (path: string, body: object) => Promise<Response>;

/** PAIRS pairs: a forgot request for a known or an unknown address, then a timed one for another. */
async function measurePairs(post: Post, known: string[]) {
  const after = { known: [] as number[], unknown: [] as number[] };
  for (let i = 0; i < PAIRS; i++) {
    const kind = i % 2 === 0 ? "known" : "unknown";
    const first = kind === "known" ? (known[i % known.length] as string) : `nobody-${i}@example.com`;
    await (await post("/password/forgot", { email: first })).text();
    const started = performance.now();
    await (await post("/password/forgot", { email: `next-${i}@example.com` })).text();
    after[kind].push(performance.now() - started);
  }
  return after;
}

async function main() {
  const smtp = await startTestSmtpServer();
  const { database, drop } = await openDatabase();
  const config = loadConfig({
    NODE_ENV: "test",
    BCRYPT_COST: "4",
    JWT_SECRET: "bench-secret-bench-secret-bench-secret-0123456789",
    RATE_LIMIT: "off",
    LOG_LEVEL: "silent",
    SMTP_URL: smtp.url,
  });
  const portico = await createPortico(config, createLogger({ level: "silent" }), database);
  const server = createServer(portico.app).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/auth`;
  const post = (path: string, body: object) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  const known: string[] = [];
  for (let i = 0; i < 5; i++) {
    const email = `known-${i}-${Date.now()}@example.com`;
    await post("/register", { email, password: "correct horse battery staple", name: "Bench User" });
    known.push(email);
  }
  await new Promise((resolve) => setTimeout(resolve, 3000)); // the sign-up mails out of the way

  const after = await measurePairs(post, known);
  await new Promise((resolve) => setTimeout(resolve, 5000)); // the last reset mails are due
  const [k, u] = [median(after.known), median(after.unknown)];
  console.log(
    `${args.engine}, ${PAIRS} pairs: the next request's median after a known address ${k.toFixed(1)} ms, ` +
      `after an unknown one ${u.toFixed(1)} ms (difference ${(k - u).toFixed(1)} ms); mails received ${smtp.received.length}`,
  );
  server.close();
  await portico.close();
  await drop?.();
  await smtp.close();
}

await main();
