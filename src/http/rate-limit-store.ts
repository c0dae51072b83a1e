import {
  type ClientRateLimitInfo,
  type IncrementResponse,
  MemoryStore,
  type Options,
  type Store,
} from "express-rate-limit";
import { type RedisReply, RedisStore } from "rate-limit-redis";
import type { RedisConnection } from "../ops/redis.js";

/**
 * Redis when it answers, this instance's memory when it does not.
 *
 * The choice when Redis is unreachable: fail open, but not all the way. Failing closed would turn
 * a Redis outage into a sign-in outage for every application behind Portico; failing fully open
 * would drop brute-force protection exactly while nobody is looking. Counting in memory keeps
 * every limit per instance (N instances allow N times the limit) until Redis is back, and never
 * answers 500. The change is logged once (src/ops/redis.ts) and shown in /readyz and /metrics.
 */
export class RedisOrMemoryStore implements Store {
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
