import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Request, RequestHandler, Response } from "express";
import {
  ipKeyGenerator,
  MemoryStore,
  type Options,
  type RateLimitInfo,
  rateLimit,
  type Store,
} from "express-rate-limit";
import type { AuthRouteLimits } from "../auth/auth.routes.js";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { RedisConnection } from "../redis.js";
import { RedisOrMemoryStore } from "./rate-limit-store.js";
import { parsedBody } from "./validate.js";

/** A limit's name: the label in metrics and part of its Redis keys. */
export type LimitName = string;

export interface RateLimitPolicy {
  limit: number;
  windowMs: number;
}

/**
 * Register: 30 requests per address per 5 min. Login (failures only, see createRateLimits):
 * 100 per address, 10 per (e-mail, address) and, for one e-mail from everywhere, a progressive
 * delay beyond 100, per 15 min.
 */
export const RATE_LIMIT_POLICIES = {
  register: { limit: 30, windowMs: 5 * 60_000 },
  login_address: { limit: 100, windowMs: 15 * 60_000 },
  login_email_address: { limit: 10, windowMs: 15 * 60_000 },
  login_email: { limit: 100, windowMs: 15 * 60_000 },
} as const satisfies Record<string, RateLimitPolicy>;

/** Beyond login_email's limit, each failure adds `stepMs` to the next attempt's wait, up to `maxMs`. */
export const LOGIN_DELAY = { stepMs: 250, maxMs: 3000 } as const;

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

/** How a limiter counts and what it does over its limit. */
interface Behaviour {
  key?: Options["keyGenerator"] | undefined;
  /** Keep only answers that are the client's fault (4xx): a success or a server error is uncounted. */
  failuresOnly?: boolean;
  /** A success (below 400) clears the counter. */
  resetOnSuccess?: boolean;
  /** Over the limit: 429 (default), or wait longer each time and go on. */
  overLimit?: "refuse" | "delay";
}

export interface RateLimits {
  /** For createApp's `limits`: the per-address limiters run before the body is read, per e-mail after. */
  limits: AuthRouteLimits;
  /** Any other limit, declared where its route is defined. */
  limiter: LimiterFactory;
  store(): CounterStore;
  close(): Promise<void>;
}

/** Seconds until the window ends: what Retry-After says. */
function secondsToReset(info: RateLimitInfo | undefined, policy: RateLimitPolicy): number {
  const ms = info?.resetTime ? info.resetTime.getTime() - Date.now() : policy.windowMs;
  return Math.max(1, Math.ceil(ms / 1000));
}

const hashed = (text: string) => createHash("sha256").update(text).digest("base64url");

/** The e-mail a login names (a route that re-checks a signed-in caller's password sets res.locals). */
function loginEmail(res: Response): string {
  return (res.locals.rateLimitEmail as string | undefined) ?? (parsedBody(res) as { email: string }).email;
}

/** Counters are keyed by hashes: no e-mail or address is stored in Redis. */
const emailKey = (_req: Request, res: Response) => hashed(loginEmail(res));
const emailAddressKey = (req: Request, res: Response) =>
  hashed(`${loginEmail(res)}\n${ipKeyGenerator(req.ip ?? "unknown")}`);

/** After the answer: forget a success or a server error, keep a failure (see Behaviour). */
function settleOnFinish(store: Store, behaviour: Behaviour, req: Request, res: Response, property: string): void {
  res.once("finish", () => {
    const info = (req as unknown as Record<string, RateLimitInfo | undefined>)[property];
    if (!info) return;
    const status = res.statusCode;
    const settle =
      status < 400 && behaviour.resetOnSuccess
        ? store.resetKey(info.key)
        : status < 400 || status >= 500
          ? store.decrement(info.key)
          : undefined;
    settle?.catch(() => {});
  });
}

/**
 * SPEC §1's rate limits (express-rate-limit). Over a limit, the request goes to the central error
 * handler as RATE_LIMITED, so the 429 has the one error shape and a Retry-After header. The client
 * address is Express's `req.ip`, which TRUST_PROXY decides.
 *
 * Sign-in counts failures only, so nobody can lock an account out: the strict limit is keyed on
 * (e-mail, address), and a success clears it; one e-mail tried from many addresses is slowed down
 * (LOGIN_DELAY), never refused.
 */
export function createRateLimits(options: RateLimitOptions): RateLimits {
  const stores: Store[] = [];
  const { redis } = options;

  function limiter(name: LimitName, base: RateLimitPolicy, behaviour: Behaviour = {}): RequestHandler {
    const policy = { ...base, ...options.policies?.[name as keyof typeof RATE_LIMIT_POLICIES] };
    const propertyName = `rateLimit_${name}`;
    const store = redis
      ? new RedisOrMemoryStore(`${options.keyPrefix}rl:${name}:`, redis, () => options.onFallback?.(name))
      : new MemoryStore();
    stores.push(store);
    const delaying = behaviour.overLimit === "delay";
    const limit = rateLimit({
      windowMs: policy.windowMs,
      limit: policy.limit,
      store,
      // A delay says nothing: its counter is everybody's, and Retry-After would be wrong.
      standardHeaders: delaying ? false : "draft-7",
      legacyHeaders: false,
      requestPropertyName: propertyName,
      ...(behaviour.key && { keyGenerator: behaviour.key }),
      // The store already falls back to memory; should even that fail, serve rather than 500.
      passOnStoreError: true,
      async handler(req, _res, next) {
        const info = (req as unknown as Record<string, RateLimitInfo | undefined>)[propertyName];
        if (delaying) {
          const over = (info?.used ?? policy.limit) - policy.limit;
          await sleep(Math.min(LOGIN_DELAY.maxMs, over * LOGIN_DELAY.stepMs));
          // A client that hung up meanwhile gets no password check.
          if (!req.socket.destroyed) next();
          return;
        }
        options.onLimited?.(name);
        next(new AppError("RATE_LIMITED", { retryAfterSeconds: secondsToReset(info, policy) }));
      },
      logger: {
        warn: (error, message) => options.logger.warn({ err: error }, message ?? "rate limiter"),
        error: (error, message) => options.logger.error({ err: error }, message ?? "rate limiter"),
      },
    });
    if (!behaviour.failuresOnly) return limit;
    return (req, res, next) => {
      settleOnFinish(store, behaviour, req, res, propertyName);
      return limit(req, res, next);
    };
  }

  const failures = { failuresOnly: true } as const;
  return {
    limits: {
      register: [limiter("register", RATE_LIMIT_POLICIES.register)],
      login: [limiter("login_address", RATE_LIMIT_POLICIES.login_address, failures)],
      loginByEmail: [
        limiter("login_email_address", RATE_LIMIT_POLICIES.login_email_address, {
          ...failures,
          key: emailAddressKey,
          resetOnSuccess: true,
        }),
        limiter("login_email", RATE_LIMIT_POLICIES.login_email, {
          ...failures,
          key: emailKey,
          resetOnSuccess: true,
          overLimit: "delay",
        }),
      ],
    },
    limiter: (name, policy, key) => limiter(name, policy, { key }),
    store: () => (!redis ? "memory" : redis.isUp() ? "redis" : "memory-fallback"),
    async close() {
      for (const store of stores) await store.shutdown?.();
    },
  };
}
