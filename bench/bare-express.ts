/**
 * The framework's ceiling: a bare Express 5 route answering a user-sized JSON body, with no
 * middleware, no token check and no database. Measured beside GET /api/v1/auth/me in one run.
 */
import express from "express";

const user = {
  id: "0b9e3c52-3a7e-4c1f-9a55-6f1d2b1c9e10",
  email: "ada@bench.example",
  name: "Ada Bench",
  firstName: "Ada",
  lastName: "Bench",
  role: "user",
  isAdmin: false,
  createdAt: "2026-11-21T10:00:00.000Z",
};

const app = express();
app.get("/bare", (_req, res) => {
  res.json({ user });
});
app.get("/readyz", (_req, res) => {
  res.json({ status: "ready" });
});
app.listen(Number(process.env.PORT), "127.0.0.1");
process.once("SIGTERM", () => process.exit(0));
