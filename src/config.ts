import { availableParallelism } from "node:os";
import { z } from "zod";
import { productionRisks } from "./production-settings.js";

/** A duration such as `7d`, `12h`, `30m`, `45s` or a bare number of seconds, in seconds. */
const duration = z
  .string()
  .trim()
  .regex(/^\d+\s*[smhd]?$/, "must be a number of seconds or a duration such as 7d, 12h, 30m")
  .transform((value) => {
    const amount = Number.parseInt(value, 10);
    const unit = value.at(-1) ?? "s";
    const factor = { s: 1, m: 60, h: 3600, d: 86_400 }[unit] ?? 1;
    return amount * factor;
  })
  .refine((seconds) => seconds > 0, "must be greater than zero");

const onOff = z.enum(["on", "off"]);

/** An exact origin: scheme, host and port only ("*" and paths are refused). */
function isOrigin(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol) && new URL(value).origin === value;
  } catch {
    return false;
  }
}
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const emptyAsUndefined = (value: unknown) => (value === "" ? undefined : value);

/** Express's `trust proxy`: true/false, a hop count, or a comma-separated list of addresses/subnets. */
function parseTrustProxy(value: string): boolean | number | string {
  const v = value.trim().toLowerCase();
  if (v === "true") return true;
  if (v === "false" || v === "") return false;
  if (/^\d+$/.test(v)) return Number.parseInt(v, 10);
  return value.trim();
}

/** The environment as given: names, types, defaults and checks, one message per problem. */
const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: int(0, 65_535).default(3000),
  HOST: z.string().min(1).optional(),
  // The operators' listener (/metrics, /readyz with details): "off", or a port (0: a free one).
  METRICS_PORT: z.union([z.literal("off"), int(0, 65_535)]).optional(),
  METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// or postgresql:// URL" }).optional(),
  ),
  DATA_DIR: z.string().min(1).default("./data"),
  JWT_SECRET: z.preprocess(emptyAsUndefined, z.string().optional()),
  JWT_EXPIRES_IN: duration.default(7 * 86_400),
  JWT_ISSUER: z.preprocess(emptyAsUndefined, z.string().max(200).optional()),
  MFA_KEY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine((v) => Buffer.byteLength(v, "utf8") >= 32, "must be at least 32 bytes")
      .optional(),
  ),
  BCRYPT_COST: int(4, 31).default(12),
  REDIS_URL: z.preprocess(
    emptyAsUndefined,
    z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" }).optional(),
  ),
  REDIS_PREFIX: z.string().max(100).default("portico:"),
  RATE_LIMIT: onOff.default("on"),
  // Enough jobs to keep libuv's thread pool full (4 threads unless UV_THREADPOOL_SIZE says more):
  // a hash's three hops through the event loop otherwise leave threads idle (issue 14: +20 % at cost 4).
  HASH_CONCURRENCY: int(1, 256).default(Math.max(availableParallelism(), Number(process.env.UV_THREADPOOL_SIZE) || 4)),
  HASH_QUEUE_MAX: int(0, 100_000).default(64),
  HASH_THREAD_NICE: int(0, 19).default(10),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Loopback by default: the web client calls the API over loopback and forwards the browser's
  // address, and a reverse proxy on the same host does the same. Other peers are never trusted.
  TRUST_PROXY: z.string().default("loopback"),
  DB_POOL_MAX: int(1, 1000).default(10),
  // 3 s: with the database unreachable, API calls answer 503 well within 5 s.
  DB_TIMEOUT_MS: int(100, 600_000).default(3000),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  // Slow or silent clients (src/http/server.ts): a body is at most 16 KiB, so 30 s is plenty.
  HTTP_HEADERS_TIMEOUT_MS: int(100, 600_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: int(100, 600_000).default(30_000),
  HTTP_KEEPALIVE_TIMEOUT_MS: int(100, 600_000).default(5_000),
  HTTP_IDLE_TIMEOUT_MS: int(100, 600_000).default(60_000),
  HTTP_MAX_CONNECTIONS: int(1, 1_000_000).default(1024),
  CORS_ORIGINS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine(
        (value) => value.split(",").every((o) => isOrigin(o.trim()) || o.trim() === ""),
        "must be a comma-separated list of origins such as https://app.example.com (no wildcard, no path)",
      )
      .optional(),
  ),
  PUBLIC_ORIGIN: z.preprocess(emptyAsUndefined, z.url().optional()),
  API_BASE_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
  EMAIL_VERIFICATION: z.enum(["optional", "required", "off"]).default("optional"),
  RESET_TOKEN_TTL: duration
    .default(30 * 60)
    .refine((seconds) => seconds >= 600 && seconds <= 3600, "must be between 10m and 1h"),
  SMTP_URL: z.preprocess(
    emptyAsUndefined,
    z.url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// URL" }).optional(),
  ),
  MAIL_FROM: z
    .string()
    .trim()
    .regex(/^[^\r\n<>]*<?[^\s@<>]+@[^\s@<>]+>?$/, 'must be an address such as "Portico <no-reply@example.com>"')
    .default("Portico <no-reply@localhost>"),
});

/** Every environment variable the service reads (the README and .env.example must list them all). */
export const SETTING_NAMES: readonly string[] = Object.keys(envSchema.shape);

type Env = z.output<typeof envSchema>;

/** The process: where it listens, its stores and secrets, hashing and logging. */
function processSettings(e: Env) {
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    /** Default: every interface in production, loopback otherwise. */
    host: e.HOST ?? (e.NODE_ENV === "production" ? "0.0.0.0" : "127.0.0.1"),
    /** /metrics and detailed /readyz: 9464 in production, a free port otherwise; undefined: off. */
    metrics:
      e.METRICS_PORT === "off"
        ? undefined
        : { port: e.METRICS_PORT ?? (e.NODE_ENV === "production" ? 9464 : 0), host: e.METRICS_HOST },
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    /** undefined until resolved: in development a secret is generated once and kept in DATA_DIR. */
    jwtSecret: e.JWT_SECRET,
    jwtExpiresInSeconds: e.JWT_EXPIRES_IN,
    /** Encrypts TOTP secrets and keys recovery-code hashes; unset: derived from the JWT secret. */
    mfaKey: e.MFA_KEY,
    /** The tokens' `iss`: JWT_ISSUER, else PUBLIC_ORIGIN, else "portico". */
    jwtIssuer: e.JWT_ISSUER ?? (e.PUBLIC_ORIGIN ? new URL(e.PUBLIC_ORIGIN).origin : "portico"),
    bcryptCost: e.BCRYPT_COST,
    redisUrl: e.REDIS_URL,
    /** Prepended to every Redis key, so several deployments can share one Redis. */
    redisPrefix: e.REDIS_PREFIX,
    rateLimit: e.RATE_LIMIT === "on",
    hashConcurrency: e.HASH_CONCURRENCY,
    hashQueueMax: e.HASH_QUEUE_MAX,
    /** Nice value of libuv's pool threads (bcrypt), above the event loop's 0; 0 leaves them alone. */
    hashThreadNice: e.HASH_THREAD_NICE,
    logLevel: e.LOG_LEVEL,
  };
}

/** Serving requests and mail: proxies, database limits, shutdown, connections, origins, links, SMTP. */
function servingSettings(e: Env) {
  return {
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    dbPoolMax: e.DB_POOL_MAX,
    dbTimeoutMs: e.DB_TIMEOUT_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    /** Limits on slow, silent and idle connections (src/http/server.ts). */
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEPALIVE_TIMEOUT_MS,
      idleTimeoutMs: e.HTTP_IDLE_TIMEOUT_MS,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
    },
    corsOrigins: (e.CORS_ORIGINS ?? "")
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean),
    /** The site's own origin for the CSRF check on form posts; derived from the request when unset. */
    publicOrigin: e.PUBLIC_ORIGIN,
    /** Where the web client finds the API; the same process when unset. */
    apiBaseUrl: e.API_BASE_URL,
    /** Where links in mails point: PUBLIC_ORIGIN, else `http://localhost:<PORT>` (development). */
    linkOrigin: e.PUBLIC_ORIGIN ? new URL(e.PUBLIC_ORIGIN).origin : `http://localhost:${e.PORT}`,
    emailVerification: e.EMAIL_VERIFICATION,
    resetTokenTtlSeconds: e.RESET_TOKEN_TTL,
    /** smtp:// or smtps:// (nodemailer); unset in development: the development mailbox. */
    smtpUrl: e.SMTP_URL,
    /** The sender of every mail. */
    mailFrom: e.MAIL_FROM,
  };
}

/**
 * The configuration: the environment checked (every problem reported, one line each), then
 * turned into the shape the code reads. `Config` is this schema's output.
 */
const configSchema = envSchema
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== "production") return;
    if (!env.JWT_SECRET) {
      ctx.addIssue({ code: "custom", path: ["JWT_SECRET"], message: "is required when NODE_ENV=production" });
    }
    if (env.BCRYPT_COST < 10) {
      ctx.addIssue({ code: "custom", path: ["BCRYPT_COST"], message: "must be at least 10 when NODE_ENV=production" });
    }
    if (env.RATE_LIMIT === "off") {
      ctx.addIssue({ code: "custom", path: ["RATE_LIMIT"], message: "cannot be off when NODE_ENV=production" });
    }
    for (const [path, message] of productionRisks(env)) ctx.addIssue({ code: "custom", path: [path], message });
    if (!env.SMTP_URL) {
      // No development mailbox in production: mail must really go out.
      ctx.addIssue({ code: "custom", path: ["SMTP_URL"], message: "is required when NODE_ENV=production" });
    }
  })
  .superRefine((env, ctx) => {
    if (env.JWT_SECRET !== undefined && Buffer.byteLength(env.JWT_SECRET, "utf8") < 32) {
      ctx.addIssue({ code: "custom", path: ["JWT_SECRET"], message: "must be at least 32 bytes" });
    }
    if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
      const message = "must not be greater than HTTP_REQUEST_TIMEOUT_MS";
      ctx.addIssue({ code: "custom", path: ["HTTP_HEADERS_TIMEOUT_MS"], message });
    }
  })
  .transform((e) => ({ ...processSettings(e), ...servingSettings(e) }));

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Parses the environment once. Every bad value is reported, one line each, in a ConfigError.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join(".") || "environment";
        const given = env[name];
        const shown = given === undefined || /SECRET|URL/.test(name) ? "" : ` (got "${given}")`;
        return `${name} ${issue.message}${shown}`;
      }),
    );
  }
  return parsed.data;
}
