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
    const lines = problems({ NODE_ENV: "production", BCRYPT_COST: "8", RATE_LIMIT: "off" });
    expect(lines).toEqual([
      "JWT_SECRET is required when NODE_ENV=production",
      'BCRYPT_COST must be at least 10 when NODE_ENV=production (got "8")',
      'RATE_LIMIT cannot be off when NODE_ENV=production (got "off")',
    ]);
    expect(problems({ NODE_ENV: "production", JWT_SECRET: "short" })).toEqual(["JWT_SECRET must be at least 32 bytes"]);
    expect(problems({ NODE_ENV: "production", JWT_SECRET: "x".repeat(32) })).toEqual([]);
  });

  it("parses durations and TRUST_PROXY forms", () => {
    expect(loadConfig({ JWT_EXPIRES_IN: "12h" }).jwtExpiresInSeconds).toBe(43_200);
    expect(loadConfig({ JWT_EXPIRES_IN: "90" }).jwtExpiresInSeconds).toBe(90);
    expect(loadConfig({ TRUST_PROXY: "true" }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: "loopback, 10.0.0.0/8" }).trustProxy).toBe("loopback, 10.0.0.0/8");
  });
});
