import { setTimeout as sleep } from "node:timers/promises";
import type { Request, RequestHandler, Response } from "express";
import { MemoryStore, type Options, type RateLimitInfo, rateLimit, type Store } from "express-rate-limit";
import { AppError } from "../errors.js";
import type { Logger } from "../ops/logger.js";
import type { RedisConnection } from "../ops/redis.js";
import { RedisOrMemoryStore } from "./rate-limit-store.js";

/** A limit's name: the label in metrics and part of its Redis keys. */
export type LimitName = string;

export interface RateLimitPolicy {
  limit: number;
  windowMs: number;
}

/** Where the counters live right now. */
export type CounterStore = "redis" | "memory" | "memory-fallback";

/** How a limiter counts and what it does over its limit. */
interface LimitBehaviour {
  /** Picks the counter; default: the client address. */
  key?: Options["keyGenerator"] | undefined;
  /** Keep only answers that are the client's fault (4xx): a success or a server error is uncounted. */
  failuresOnly?: boolean;
  /** A success (below 400) clears the counter. */
  resetOnSuccess?: boolean;
  /** Over the limit: 429 (default), or wait `stepMs` longer per request over it (up to `maxMs`) and go on. */
  overLimit?: "refuse" | { delay: { stepMs: number; maxMs: number } };
}

/** Makes a limiter: `name` labels it (metrics, Redis keys). Each route declares its own. */
export type LimiterFactory = (name: LimitName, policy: RateLimitPolicy, behaviour?: LimitBehaviour) => RequestHandler;

export interface RateLimitOptions {
  /** Shared counters; without it each instance counts in its own memory. */
  redis?: RedisConnection | undefined;
  /** Prepended to every Redis key. */
  keyPrefix: string;
  logger: Logger;
  /** A request was refused with 429. */
  onLimited?: (name: LimitName) => void;
  /** A request was counted in memory because Redis did not answer. */
  onFallback?: (name: LimitName) => void;
}

export interface RateLimits {
  limiter: LimiterFactory;
  store(): CounterStore;
  close(): Promise<void>;
}

/** Seconds until the window ends: what Retry-After says. */
function secondsToReset(info: RateLimitInfo | undefined, policy: RateLimitPolicy): number {
  const ms = info?.resetTime ? info.resetTime.getTime() - Date.now() : policy.windowMs;
  return Math.max(1, Math.ceil(ms / 1000));
}

/** After the answer: forget a success or a server error, keep a failure (see Behaviour). */
function settleOnFinish(store: Store, behaviour: LimitBehaviour, req: Request, res: Response, property: string): void {
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

/** Over the limit: refuse with RATE_LIMITED (the central error handler answers 429), or wait and go on. */
function overLimitHandler(
  name: LimitName,
  policy: RateLimitPolicy,
  behaviour: LimitBehaviour,
  options: RateLimitOptions,
): Options["handler"] {
  const propertyName = `rateLimit_${name}`;
  const { overLimit = "refuse" } = behaviour;
  return async (req, _res, next) => {
    const info = (req as unknown as Record<string, RateLimitInfo | undefined>)[propertyName];
    if (overLimit !== "refuse") {
      const over = (info?.used ?? policy.limit) - policy.limit;
      await sleep(Math.min(overLimit.delay.maxMs, over * overLimit.delay.stepMs));
      // A client that hung up meanwhile gets no further work.
      if (!req.socket.destroyed) next();
      return;
    }
    options.onLimited?.(name);
    next(new AppError("RATE_LIMITED", { retryAfterSeconds: secondsToReset(info, policy) }));
  };
}

/**
 * The limiter factory (express-rate-limit): each route declares its limits with it. Over a limit,
 * the request goes to the central error handler as RATE_LIMITED, so the 429 has the one error
 * shape and a Retry-After header. The client address is Express's `req.ip`, which TRUST_PROXY
 * decides. Counters live in Redis when there is one (falling back to memory while it is down).
 */
export function createRateLimits(options: RateLimitOptions): RateLimits {
  const stores: Store[] = [];
  const { redis } = options;

  function limiter(name: LimitName, policy: RateLimitPolicy, behaviour: LimitBehaviour = {}): RequestHandler {
    const propertyName = `rateLimit_${name}`;
    const store = redis
      ? new RedisOrMemoryStore(`${options.keyPrefix}rl:${name}:`, redis, () => options.onFallback?.(name))
      : new MemoryStore();
    stores.push(store);
    const limit = rateLimit({
      windowMs: policy.windowMs,
      limit: policy.limit,
      store,
      // A delay says nothing: its counter is everybody's, and Retry-After would be wrong.
      standardHeaders: behaviour.overLimit && behaviour.overLimit !== "refuse" ? false : "draft-7",
      legacyHeaders: false,
      requestPropertyName: propertyName,
      ...(behaviour.key && { keyGenerator: behaviour.key }),
      // The store already falls back to memory; should even that fail, serve rather than 500.
      passOnStoreError: true,
      handler: overLimitHandler(name, policy, behaviour, options),
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

  return {
    limiter,
    store: () => (!redis ? "memory" : redis.isUp() ? "redis" : "memory-fallback"),
    async close() {
      for (const store of stores) await store.shutdown?.();
    },
  };
}
