import { existsSync } from "node:fs";
import { join } from "node:path";
import request from "supertest";
import { beforeAll, describe, expect, it } from "vitest";
import { newUserBody } from "../../test/helpers.js";
import { usePortico } from "../../test/use-portico.js";
import type { PasswordHasher } from "../users/passwords.js";
import { WEB_DIST_DIR } from "../web/mount.js";
import { createMetrics } from "./metrics.js";

const HAVE_WEB = existsSync(join(WEB_DIST_DIR, "server", "entry.mjs"));

/** The value of one series in Prometheus text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const duration = (method: string, route: string, status: number) =>
  `http_request_duration_seconds_count{method="${method}",route="${route}",status_code="${status}"}`;

describe("/metrics", () => {
  const portico = usePortico();
  let text: string;

  beforeAll(async () => {
    const { app } = portico;
    const user = newUserBody();
    expect((await request(app).post("/api/v1/auth/register").send(user)).status).toBe(201);
    expect((await request(app).post("/api/v1/auth/register").send(user)).status).toBe(409);
    expect((await request(app).post("/api/v1/auth/register").send({})).status).toBe(422);
    expect((await request(app).post("/api/v1/auth/login").send(user)).status).toBe(200);
    const wrong = { email: user.email, password: "not the password" };
    expect((await request(app).post("/api/v1/auth/login").send(wrong)).status).toBe(401);
    expect(
      (
        await request(app)
          .post("/api/v1/auth/login")
          .send({ ...wrong, email: "nobody@example.com" })
      ).status,
    ).toBe(401);
    for (let i = 0; i < 25; i++) await request(app).get(`/api/v1/no-such-thing-${i}?q=${i}`);
    const res = await request(portico.opsApp).get("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    text = res.text;
  });

  it("has the process defaults", () => {
    for (const name of [
      "process_cpu_user_seconds_total",
      "process_resident_memory_bytes",
      "nodejs_eventloop_lag_seconds",
    ]) {
      expect(sample(text, name), name).toBeGreaterThanOrEqual(0);
    }
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
  });

  it("times requests by method, route pattern and status, errors included", () => {
    expect(sample(text, duration("POST", "/api/v1/auth/register", 201))).toBe(1);
    // An error leaves the router before it is answered: the pattern must survive that.
    expect(sample(text, duration("POST", "/api/v1/auth/register", 409))).toBe(1);
    expect(sample(text, duration("POST", "/api/v1/auth/register", 422))).toBe(1);
    expect(sample(text, duration("POST", "/api/v1/auth/login", 200))).toBe(1);
    expect(sample(text, duration("POST", "/api/v1/auth/login", 401))).toBe(2);
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{le="0\.1",method="POST",route="\/api\/v1\/auth\/login",status_code="200"\} \d+$/m,
    );
  });

  it("keeps unknown URLs in one series: the raw URL never becomes a label", () => {
    expect(sample(text, duration("GET", "(unmatched)", 404))).toBe(25);
    expect(text).not.toContain("no-such-thing");
  });

  it("counts registrations and logins by outcome", () => {
    expect(sample(text, 'portico_registrations_total{outcome="success"}')).toBe(1);
    expect(sample(text, 'portico_registrations_total{outcome="email_taken"}')).toBe(1);
    expect(sample(text, 'portico_registrations_total{outcome="rate_limited"}')).toBe(0);
    expect(sample(text, 'portico_logins_total{outcome="success"}')).toBe(1);
    expect(sample(text, 'portico_logins_total{outcome="invalid_credentials"}')).toBe(2);
    expect(sample(text, 'portico_logins_total{outcome="service_unavailable"}')).toBe(0);
  });

  it("times bcrypt jobs and shows the hashing queue and the database pool", () => {
    expect(sample(text, 'portico_bcrypt_duration_seconds_count{operation="hash"}')).toBeGreaterThanOrEqual(1);
    // Two verifies: the right password, a wrong one; the unknown e-mail burns one more.
    expect(sample(text, 'portico_bcrypt_duration_seconds_count{operation="verify"}')).toBeGreaterThanOrEqual(3);
    expect(sample(text, "portico_bcrypt_queue_depth")).toBe(0);
    expect(sample(text, "portico_bcrypt_active_jobs")).toBe(0);
    const pool = portico.database.poolStats();
    expect(sample(text, 'portico_db_pool_connections{state="idle"}')).toBe(pool.idle);
    expect(sample(text, 'portico_db_pool_connections{state="in_use"}')).toBe(pool.total - pool.idle);
    expect(sample(text, "portico_db_pool_waiting")).toBe(0);
  });

  it("reads the gauges at scrape time", async () => {
    const metrics = createMetrics();
    let stats = { active: 2, queued: 7 };
    metrics.watch({ passwords: { stats: () => stats } as PasswordHasher, rateLimitStore: () => "memory-fallback" });
    let scraped = await metrics.registry.metrics();
    expect(sample(scraped, "portico_bcrypt_queue_depth")).toBe(7);
    expect(sample(scraped, "portico_bcrypt_active_jobs")).toBe(2);
    expect(sample(scraped, 'portico_rate_limit_store{store="memory-fallback"}')).toBe(1);
    expect(sample(scraped, 'portico_rate_limit_store{store="redis"}')).toBe(0);
    stats = { active: 1, queued: 0 };
    scraped = await metrics.registry.metrics();
    expect(sample(scraped, "portico_bcrypt_queue_depth")).toBe(0);
  });

  it.skipIf(!HAVE_WEB)(
    `labels web pages by path and folds asset files${HAVE_WEB ? "" : " (skipped: web/dist not built)"}`,
    async () => {
      const { app } = portico;
      const page = await request(app).get("/login").set("Accept", "text/html");
      expect(page.status).toBe(200);
      const asset = /href="(\/_astro\/[^"]+\.css)"/.exec(page.text)?.[1];
      if (asset) expect((await request(app).get(asset)).status).toBe(200);
      const scraped = (await request(portico.opsApp).get("/metrics")).text;
      expect(sample(scraped, duration("GET", "/login", 200))).toBe(1);
      if (asset) {
        expect(sample(scraped, duration("GET", "/_astro/*", 200))).toBe(1);
        expect(scraped).not.toContain(asset);
      }
    },
  );
});
