/**
 * The better-auth peer of `npm run bench:peers`: better-auth 1.7 with e-mail and password, its
 * hashing swapped for bcrypt at BCRYPT_COST (the harness runs it at Portico's cost), its rate
 * limiter off, a node-postgres Pool on the same PostgreSQL server, its schema made by its own
 * migration API at start, the bearer plugin (so get-session takes `Authorization: Bearer`), and
 * its Node handler on node:http. Its API: POST /api/auth/sign-up/email, POST /api/auth/sign-in/email,
 * GET /api/auth/get-session.
 *
 * Plain JavaScript on purpose: better-auth is installed only in bench/peers/node_modules (by the
 * benchmark, `npm ci --prefix bench/peers`), so the service's type-check must not import it.
 *
 *   PORT, DATABASE_URL (an empty database), BCRYPT_COST, JWT_SECRET (better-auth's secret)
 */
import { createServer } from "node:http";
import bcrypt from "bcrypt";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import { bearer } from "better-auth/plugins";
import pg from "pg";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const cost = Number(process.env.BCRYPT_COST ?? 12);
/** bcrypt work done, for the harness (GET /bench/hashes). */
const spent = { hash: 0, verify: 0 };
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const options = {
  baseURL: `http://${host}:${port}`,
  secret: process.env.JWT_SECRET ?? "better-auth-peer-secret-at-least-32-characters",
  database: pool,
  emailAndPassword: {
    enabled: true,
    password: {
      hash: (password) => {
        spent.hash++;
        return bcrypt.hash(password, cost);
      },
      verify: ({ hash, password }) => {
        spent.verify++;
        return bcrypt.compare(password, hash);
      },
    },
  },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  plugins: [bearer()],
};

const { runMigrations } = await getMigrations(options);
await runMigrations();
const auth = betterAuth(options);
const handler = toNodeHandler(auth);

const server = createServer((req, res) => {
  if (req.url === "/readyz" || req.url === "/bench/hashes") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(req.url === "/readyz" ? { status: "ready" } : spent));
    return;
  }
  handler(req, res);
});
server.listen(port, host);
process.once("SIGTERM", () => pool.end().finally(() => process.exit(0)));
