import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

/** A valid production environment. */
const PRODUCTION = {
  NODE_ENV: "production",
  JWT_SECRET: "Zq7!x9Lm-Pa4sW2r_Tb8Vn6Kc3Hd5Jf1",
  PUBLIC_ORIGIN: "https://auth.example.com",
  SMTP_URL: "smtps://mailer:secret@smtp.example.com:465",
};

describe("config", () => {
  it("has SPEC's defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      dataDir: "./data",
      databaseUrl: undefined,
      jwtExpiresInSeconds: 7 * 86_400,
      bcryptCost: 12,
      rateLimit: true,
      hashQueueMax: 64,
      trustProxy: "loopback",
    });
    expect(config.hashConcurrency).toBeGreaterThanOrEqual(1);
  });

  it("reports every bad value, one line each, without echoing secrets", () => {
    const lines = problems({
      PORT: "http",
      BCRYPT_COST: "3",
      DATABASE_URL: "mysql://u:hunter2@h/db",
      JWT_EXPIRES_IN: "soon",
    });
    expect(lines).toHaveLength(4);
    expect(lines.join("\n")).toMatch(/^PORT .*\(got "http"\)$/m);
    expect(lines.join("\n")).toMatch(/^BCRYPT_COST /m);
    expect(lines.join("\n")).toMatch(/^JWT_EXPIRES_IN /m);
    expect(lines.join("\n")).toMatch(/^DATABASE_URL must be a postgres/m);
    expect(lines.join("\n")).not.toContain("hunter2");
  });

  it("in production requires JWT_SECRET of 32 bytes, BCRYPT_COST ≥ 10 and rate limits on", () => {
    const lines = problems({ ...PRODUCTION, JWT_SECRET: "", BCRYPT_COST: "8", RATE_LIMIT: "off" });
    expect(lines).toEqual([
      "JWT_SECRET is required when NODE_ENV=production",
      'BCRYPT_COST must be at least 10 when NODE_ENV=production (got "8")',
      'RATE_LIMIT cannot be off when NODE_ENV=production (got "off")',
    ]);
    expect(problems({ ...PRODUCTION, JWT_SECRET: "short-Secret-1" })).toEqual(["JWT_SECRET must be at least 32 bytes"]);
    expect(problems(PRODUCTION)).toEqual([]);
  });

  it("in production refuses a secret with little variety, costs above 15, tokens over 30 days, TRUST_PROXY=true, no PUBLIC_ORIGIN", () => {
    const { PUBLIC_ORIGIN: _, ...withoutOrigin } = PRODUCTION;
    const lines = problems({
      ...withoutOrigin,
      JWT_SECRET: "ab".repeat(20),
      BCRYPT_COST: "16",
      JWT_EXPIRES_IN: "31d",
      TRUST_PROXY: "true",
    });
    expect(lines).toEqual([
      "JWT_SECRET must have at least 8 different characters when NODE_ENV=production (use a random one: openssl rand -base64 48)",
      'BCRYPT_COST must be at most 15 when NODE_ENV=production (each step doubles the time of every sign-up and sign-in) (got "16")',
      'JWT_EXPIRES_IN must be at most 30d when NODE_ENV=production (got "31d")',
      'TRUST_PROXY cannot be true when NODE_ENV=production: any client could pick its address with X-Forwarded-For; give your load balancers\' addresses or a hop count (got "true")',
      "PUBLIC_ORIGIN is required when NODE_ENV=production: the CSRF check on form posts compares with it (without it the Host header decides)",
    ]);
    expect(lines.join("\n")).not.toContain("abab");
    expect(problems({ ...PRODUCTION, BCRYPT_COST: "15", JWT_EXPIRES_IN: "30d", TRUST_PROXY: "10.0.0.0/8" })).toEqual(
      [],
    );
    // Outside production the same values are allowed (tests and benchmarks use them).
    expect(
      problems({ JWT_SECRET: "x".repeat(32), BCRYPT_COST: "16", JWT_EXPIRES_IN: "90d", TRUST_PROXY: "true" }),
    ).toEqual([]);
  });

  it("in production refuses a PUBLIC_ORIGIN that is not https, localhost included", () => {
    const line =
      "PUBLIC_ORIGIN must be https:// when NODE_ENV=production: the links in mail (password reset, e-mail confirmation) would travel in clear";
    for (const origin of ["http://auth.example.com", "http://localhost:3000", "http://127.0.0.1:3000"]) {
      expect(problems({ ...PRODUCTION, PUBLIC_ORIGIN: origin })).toEqual([`${line} (got "${origin}")`]);
    }
    expect(problems({ ...PRODUCTION, PUBLIC_ORIGIN: "HTTPS://Auth.Example.com" })).toEqual([]);
    // Development keeps http (the default link origin is http://localhost:<PORT>).
    expect(problems({ PUBLIC_ORIGIN: "http://localhost:3000" })).toEqual([]);
  });

  it("parses durations and TRUST_PROXY forms", () => {
    expect(loadConfig({ JWT_EXPIRES_IN: "12h" }).jwtExpiresInSeconds).toBe(43_200);
    expect(loadConfig({ JWT_EXPIRES_IN: "90" }).jwtExpiresInSeconds).toBe(90);
    expect(loadConfig({ TRUST_PROXY: "true" }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: "loopback, 10.0.0.0/8" }).trustProxy).toBe("loopback, 10.0.0.0/8");
  });
});
