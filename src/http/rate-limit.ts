import { createHash } from "node:crypto";
import type { Request, RequestHandler } from "express";
import {
  type ClientRateLimitInfo,
  type IncrementResponse,
  MemoryStore,
  type Options,
  type RateLimitInfo,
  rateLimit,
  type Store,
} from "express-rate-limit";
import { type RedisReply, RedisStore } from "rate-limit-redis";
import type { AuthRouteLimits } from "../auth/auth.routes.js";
import { loginBody } from "../auth/auth.schemas.js";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { RedisConnection } from "../redis.js";
import { validBody } from "./validate.js";

/** A limit's name: the label in metrics and part of its Redis keys. */
export type LimitName = string;

export interface RateLimitPolicy {
  limit: number;
  windowMs: number;
}

/** SPEC §1: register 30 per address per 5 min; login 100 per address and 10 per e-mail per 15 min. */
export const RATE_LIMIT_POLICIES = {
  register: { limit: 30, windowMs: 5 * 60_000 },
  login_address: { limit: 100, windowMs: 15 * 60_000 },
  login_email: { limit: 10, windowMs: 15 * 60_000 },
} as const satisfies Record<string, RateLimitPolicy>;

/** Where the counters live right now. */
export type CounterStore = "redis" | "memory" | "memory-fallback";

export interface RateLimitOptions {
  /** Shared counters; without it each instance counts in its own memory. */
  redis?: RedisConnection | undefined;
  /** Prepended to every Redis key. */
  keyPrefix: string;
  logger: Logger;
  policies?: Partial<Record<keyof typeof RATE_LIMIT_POLICIES, RateLimitPolicy>>;
  /** A request was refused with 429. */
  onLimited?: (name: LimitName) => void;
  /** A request was counted in memory because Redis did not answer. */
  onFallback?: (name: LimitName) => void;
}

/** Makes a limiter: `name` labels it (metrics, Redis keys), `key` picks the counter (default: client address). */
export type LimiterFactory = (
  name: LimitName,
  policy: RateLimitPolicy,
  key?: Options["keyGenerator"],
) => RequestHandler;

export interface RateLimits {
  /** For createApp's `limits`: the per-address limiters run before the body is read, per e-mail after. */
  limits: AuthRouteLimits;
  /** Any other limit, declared where its route is defined. */
  limiter: LimiterFactory;
  store(): CounterStore;
  close(): Promise<void>;
}

/**
 * Redis when it answers, this instance's memory when it does not.
 *
 * The choice when Redis is unreachable: fail open, but not all the way. Failing closed would turn
 * a Redis outage into a sign-in outage for every application behind Portico; failing fully open
 * would drop brute-force protection exactly while nobody is looking. Counting in memory keeps
 * every limit per instance (N instances allow N times the limit) until Redis is back, and never
 * answers 500. The change is logged once (src/redis.ts) and shown in /readyz and /metrics.
 */
class RedisOrMemoryStore implements Store {
  readonly localKeys = false;
  readonly #memory = new MemoryStore();
  readonly #redisStore: RedisStore;
  #options: Options | undefined;

  constructor(
    readonly prefix: string,
    private readonly redis: RedisConnection,
    private readonly onFallback: () => void,
  ) {
    this.#redisStore = new RedisStore({
      prefix,
      sendCommand: (command: string, ...args: string[]) => redis.client.call(command, ...args) as Promise<RedisReply>,
    });
    // The scripts are loaded again whenever Redis comes back: it may have restarted empty, and a
    // load that failed at start-up would otherwise fail every later increment.
    redis.onUp(() => this.#loadScripts());
  }

  init(options: Options): void {
    this.#options = options;
    this.#memory.init(options);
    this.#loadScripts();
  }

  #loadScripts() {
    if (!this.#options || !this.redis.isUp()) return;
    this.#redisStore.init(this.#options).catch((error) => this.redis.reportFailure(error));
  }

  async #try<T>(redisCall: () => Promise<T>): Promise<T | undefined> {
    if (!this.redis.isUp()) return undefined;
    try {
      return await redisCall();
    } catch (error) {
      this.redis.reportFailure(error);
      return undefined;
    }
  }

  async increment(key: string): Promise<IncrementResponse> {
    const counted = await this.#try(() => this.#redisStore.increment(key));
    if (counted) return counted;
    this.onFallback();
    return this.#memory.increment(key);
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    return (await this.#try(() => this.#redisStore.get(key))) ?? this.#memory.get(key);
  }

  async decrement(key: string): Promise<void> {
    await this.#try(() => this.#redisStore.decrement(key));
    await this.#memory.decrement(key);
  }

  async resetKey(key: string): Promise<void> {
    await this.#try(() => this.#redisStore.resetKey(key));
    await this.#memory.resetKey(key);
  }

  shutdown(): void {
    this.#memory.shutdown();
  }
}

/** Seconds until the window ends: what Retry-After says. */
function secondsToReset(info: RateLimitInfo | undefined, policy: RateLimitPolicy): number {
  const ms = info?.resetTime ? info.resetTime.getTime() - Date.now() : policy.windowMs;
  return Math.max(1, Math.ceil(ms / 1000));
}

/** The e-mail a login names, hashed: counters are keyed by it without storing addresses in Redis. */
function emailKey(_req: Request, res: Parameters<RequestHandler>[1]): string {
  // A route that re-checks a signed-in caller's password names the address in res.locals.
  const email = (res.locals.rateLimitEmail as string | undefined) ?? validBody(res, loginBody).email;
  return createHash("sha256").update(email).digest("base64url");
}

/**
 * SPEC §1's rate limits (express-rate-limit). Over a limit, the request goes to the central error
 * handler as RATE_LIMITED, so the 429 has the one error shape and a Retry-After header. The client
 * address is Express's `req.ip`, which TRUST_PROXY decides.
 */
export function createRateLimits(options: RateLimitOptions): RateLimits {
  const stores: Store[] = [];
  const { redis } = options;

  function limiter(name: LimitName, base: RateLimitPolicy, keyGenerator?: Options["keyGenerator"]): RequestHandler {
    const policy = { ...base, ...options.policies?.[name as keyof typeof RATE_LIMIT_POLICIES] };
    const propertyName = `rateLimit_${name}`;
    const store = redis
      ? new RedisOrMemoryStore(`${options.keyPrefix}rl:${name}:`, redis, () => options.onFallback?.(name))
      : new MemoryStore();
    stores.push(store);
    return rateLimit({
      windowMs: policy.windowMs,
      limit: policy.limit,
      store,
      standardHeaders: "draft-7",
      legacyHeaders: false,
      requestPropertyName: propertyName,
      ...(keyGenerator && { keyGenerator }),
      // The store already falls back to memory; should even that fail, serve rather than 500.
      passOnStoreError: true,
      handler(req, _res, next) {
        options.onLimited?.(name);
        const info = (req as unknown as Record<string, RateLimitInfo | undefined>)[propertyName];
        next(new AppError("RATE_LIMITED", { retryAfterSeconds: secondsToReset(info, policy) }));
      },
      logger: {
        warn: (error, message) => options.logger.warn({ err: error }, message ?? "rate limiter"),
        error: (error, message) => options.logger.error({ err: error }, message ?? "rate limiter"),
      },
    });
  }

  return {
    limits: {
      register: [limiter("register", RATE_LIMIT_POLICIES.register)],
      login: [limiter("login_address", RATE_LIMIT_POLICIES.login_address)],
      loginByEmail: [limiter("login_email", RATE_LIMIT_POLICIES.login_email, emailKey)],
    },
    limiter,
    store: () => (!redis ? "memory" : redis.isUp() ? "redis" : "memory-fallback"),
    async close() {
      for (const store of stores) await store.shutdown?.();
    },
  };
}
