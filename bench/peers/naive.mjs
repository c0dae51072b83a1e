/**
 * The "naive" peer of `npm run bench:peers`: what a hand-written Express sign-up service looks
 * like — a few ifs, SELECT, bcrypt, INSERT, jsonwebtoken. No logging, no limits, no metrics; two
 * simultaneous registrations of one e-mail both hash, and the loser of the INSERT race answers 500.
 * It speaks Portico's API (same paths, same bodies) so the same load runs against both. Plain
 * JavaScript, run by node itself: a TypeScript loader would add its own memory and CPU to the peer.
 *
 *   PORT, DATABASE_URL (an empty database: the table is made at start), BCRYPT_COST, JWT_SECRET
 */
import bcrypt from "bcrypt";
import express from "express";
import jwt from "jsonwebtoken";
import pg from "pg";

const cost = Number(process.env.BCRYPT_COST ?? 12);
const secret = process.env.JWT_SECRET ?? "naive-peer-secret";
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
/** bcrypt work done, for the harness (GET /bench/hashes). */
const spent = { hash: 0, verify: 0 };

await pool.query(`CREATE TABLE IF NOT EXISTS users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE,
  first_name text NOT NULL,
  last_name text NOT NULL,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
)`);

const publicUser = (u) => ({
  id: u.id,
  email: u.email,
  firstName: u.first_name,
  lastName: u.last_name,
  createdAt: u.created_at,
});
const sign = (u) => jwt.sign({ sub: u.id }, secret, { expiresIn: "7d" });
const text = (value, max) => typeof value === "string" && value.length > 0 && value.length <= max;

const app = express();
app.use(express.json());

app.post("/api/v1/auth/register", async (req, res) => {
  const { email, password, firstName, lastName } = req.body ?? {};
  if (!text(email, 254) || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    res.status(400).json({ error: "invalid email" });
    return;
  }
  if (!text(password, 72) || password.length < 8) {
    res.status(400).json({ error: "password must be 8 to 72 characters" });
    return;
  }
  if (!text(firstName, 100) || !text(lastName, 100)) {
    res.status(400).json({ error: "firstName and lastName are required" });
    return;
  }
  const normalised = email.trim().toLowerCase();
  const existing = await pool.query("SELECT id FROM users WHERE email = $1", [normalised]);
  if (existing.rowCount) {
    res.status(409).json({ error: "email taken" });
    return;
  }
  spent.hash++;
  const hash = await bcrypt.hash(password, cost);
  const { rows } = await pool.query(
    "INSERT INTO users (email, first_name, last_name, password_hash) VALUES ($1, $2, $3, $4) RETURNING *",
    [normalised, firstName, lastName, hash],
  );
  const user = rows[0];
  res.status(201).json({ token: sign(user), user: publicUser(user) });
});

app.post("/api/v1/auth/login", async (req, res) => {
  const { email, password } = req.body ?? {};
  if (!text(email, 254) || !text(password, 72)) {
    res.status(400).json({ error: "email and password are required" });
    return;
  }
  const { rows } = await pool.query("SELECT * FROM users WHERE email = $1", [email.trim().toLowerCase()]);
  const user = rows[0];
  spent.verify++;
  if (!user || !(await bcrypt.compare(password, user.password_hash))) {
    res.status(401).json({ error: "invalid credentials" });
    return;
  }
  res.json({ token: sign(user), user: publicUser(user) });
});

app.get("/api/v1/auth/me", async (req, res) => {
  const token = req.headers.authorization?.replace(/^Bearer /, "") ?? "";
  let claims;
  try {
    claims = jwt.verify(token, secret);
  } catch {
    res.status(401).json({ error: "invalid token" });
    return;
  }
  const { rows } = await pool.query("SELECT * FROM users WHERE id = $1", [claims.sub]);
  if (!rows[0]) {
    res.status(401).json({ error: "unknown user" });
    return;
  }
  res.json({ user: publicUser(rows[0]) });
});

app.get("/readyz", (_req, res) => {
  res.json({ status: "ready" });
});
app.get("/bench/hashes", (_req, res) => {
  res.json(spent);
});

app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? "127.0.0.1");
process.once("SIGTERM", () => pool.end().finally(() => process.exit(0)));
