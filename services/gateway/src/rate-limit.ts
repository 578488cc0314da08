import type { Logger } from "@netledger/platform";
import type { RequestHandler } from "express";
import { type IncrementResponse, type Options, rateLimit, type Store } from "express-rate-limit";
import type { Redis } from "ioredis";
import { type RedisReply, RedisStore } from "rate-limit-redis";
import { authOf } from "./api/route.js";
import { ApiError, ServiceUnavailableError } from "./errors.js";

export interface RateLimitOptions {
  /** Names the counter: keys are `<prefix>rl:<name>:<sha256 of the token>`. */
  readonly name: string;
  /** Requests allowed per token per window. */
  readonly limit: number;
  readonly windowMs: number;
}

/** Builds a per-token rate-limit middleware; put it in a route's `use` list. */
export type RateLimiterFactory = (options: RateLimitOptions) => RequestHandler;

export interface RateLimiterFactoryOptions {
  /** Its own client with the default offline queue (see STACK-NOTES), not a Redlock client. */
  readonly redis: Redis;
  /** Key prefix, e.g. `netledger:` (tests: their world's prefix). */
  readonly keyPrefix: string;
  /** When Redis does not answer: `reject` answers 503 RATE_LIMITER_UNAVAILABLE, `allow` lets the request through. */
  readonly onStoreError: "reject" | "allow";
  readonly logger: Logger;
  /** Longest wait for Redis per request before it counts as down (default 1 s). */
  readonly storeTimeoutMs?: number;
}

/**
 * Rate limits shared by every gateway replica: express-rate-limit with a Redis store, keyed by
 * the sha256 of the caller's token (never the token), `RateLimit-Policy`/`RateLimit` headers
 * (draft 8) and `Retry-After` on 429. Over the limit: problem `RATE_LIMITED` (429). Redis down:
 * the request waits at most `storeTimeoutMs`, then `onStoreError` decides; the store reloads its
 * scripts after a failure, so a Redis restart (or a Redis down at start-up) heals by itself.
 *
 * @example
 * const limitTriggers = deps.rateLimiter({ name: "trigger", limit: 10, windowMs: 60_000 });
 * api.route({ ..., access: { role: "operator" }, use: [limitTriggers], handler });
 */
export function createRateLimiterFactory(options: RateLimiterFactoryOptions): RateLimiterFactory {
  const names = new Set<string>();
  return ({ name, limit, windowMs }) => {
    if (names.has(name)) throw new Error(`rate limiter "${name}" created twice: create it once and reuse it`);
    names.add(name);
    const store = new HealingStore(
      () =>
        new RedisStore({
          prefix: `${options.keyPrefix}rl:${name}:`,
          sendCommand: (command: string, ...args: string[]) =>
            options.redis.call(command, ...args) as Promise<RedisReply>,
        }),
      options.storeTimeoutMs ?? 1_000,
    );
    const limiter = rateLimit({
      windowMs,
      limit,
      standardHeaders: "draft-8",
      legacyHeaders: false,
      identifier: name,
      store,
      passOnStoreError: options.onStoreError === "allow",
      keyGenerator: (_req, res) => authOf(res).tokenHash,
      validate: { xForwardedForHeader: false, trustProxy: false },
      logger: {
        error: (err: unknown) =>
          options.logger.warn({ err, limiter: name }, "rate-limit store unavailable; letting the request through"),
        warn: () => undefined,
      } as unknown as Options["logger"],
      handler: (_req, res, next) => {
        const retryAfter = Number(res.getHeader("retry-after"));
        next(
          new ApiError("RATE_LIMITED", `at most ${limit} requests per ${windowMs / 1000} s per token`, {
            extensions: Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {},
          }),
        );
      },
    });
    return (req, res, next) => {
      const done = (err?: unknown) => {
        if (err === undefined || err instanceof ApiError) return next(err);
        next(
          new ServiceUnavailableError("RATE_LIMITER_UNAVAILABLE", "the rate limiter is unavailable; try again", {
            cause: err,
          }),
        );
      };
      Promise.resolve(limiter(req, res, done)).catch(done);
    };
  };
}

/**
 * A RedisStore that answers within a time limit and starts over (new script load) after a
 * failure: rate-limit-redis keeps a failed script load forever otherwise.
 */
class HealingStore implements Store {
  private inner: RedisStore;
  private options: Options | undefined;
  private broken = false;
  readonly localKeys = false;

  constructor(
    private readonly create: () => RedisStore,
    private readonly timeoutMs: number,
  ) {
    this.inner = create();
  }

  get prefix(): string {
    return this.inner.prefix;
  }

  init(options: Options): void {
    this.options = options;
    this.inner.init(options).catch(() => {
      this.broken = true;
    });
  }

  async increment(key: string): Promise<IncrementResponse> {
    if (this.broken && this.options !== undefined) {
      this.broken = false;
      this.inner = this.create();
      this.inner.init(this.options).catch(() => {
        this.broken = true;
      });
    }
    return this.bounded(this.inner.increment(key));
  }

  async decrement(key: string): Promise<void> {
    await this.bounded(this.inner.decrement(key)).catch(() => undefined);
  }

  async resetKey(key: string): Promise<void> {
    await this.bounded(this.inner.resetKey(key));
  }

  private bounded<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("rate-limit store timed out")), this.timeoutMs);
    });
    return Promise.race([work, timeout])
      .catch((err: unknown) => {
        this.broken = true;
        work.catch(() => undefined);
        throw err;
      })
      .finally(() => clearTimeout(timer));
  }
}
