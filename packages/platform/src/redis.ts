import { Redis, type RedisOptions } from "ioredis";
import { backoffDelay } from "./backoff.js";
import type { Logger } from "./logger.js";
import { redactUrlCredentials } from "./redact.js";

/** Reconnect delays: 200 ms doubling to a 5 s cap, forever; a Redis restart must not need a pod restart. */
const RECONNECT_BACKOFF = { baseMs: 200, maxMs: 5_000 };

/**
 * An ordinary Redis client (rate limiter store, caches): commands issued while disconnected
 * wait in the offline queue. Reconnects forever with capped exponential back-off; connection
 * loss and recovery are logged once each, not on every retry.
 */
export function createRedis(url: string, options: { logger: Logger; name: string }): Redis {
  return watched(url, options.logger, options.name, {});
}

export interface LockClientsOptions {
  logger: Logger;
  /** How long start-up waits for each master to be ready; default 5 s. */
  readyTimeoutMs?: number;
  /**
   * Longest wait for one command's answer (default 1 s): a master that hangs (alive socket, no
   * answers) then fails lock commands instead of blocking them, so it counts as down.
   */
  commandTimeoutMs?: number;
  /** Longest pause between reconnect attempts (default 1 s): locks come back soon after a master. */
  reconnectMaxMs?: number;
}

/**
 * One client per independent Redis master, configured for Redlock (see STACK-NOTES): no offline
 * queue and one retry per command, so a lost quorum fails `acquire` at once instead of hanging.
 * Resolves when every client is ready or its ready wait ran out: a master that is down at start
 * is logged and keeps reconnecting in the background (Redlock works while a majority answers).
 */
export async function createLockClients(urls: string[], options: LockClientsOptions): Promise<Redis[]> {
  const { logger } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? 5_000;
  const backoff = { baseMs: RECONNECT_BACKOFF.baseMs, maxMs: options.reconnectMaxMs ?? 1_000 };
  const clients = urls.map((url, index) =>
    watched(url, logger, `lock-${index + 1}`, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: true,
      commandTimeout: options.commandTimeoutMs ?? 1_000,
      retryStrategy: (times) => backoffDelay(times, backoff),
    }),
  );
  await Promise.all(
    clients.map(async (client, index) => {
      const isReady = await new Promise<boolean>((resolve) => {
        const onReady = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          client.off("ready", onReady);
          resolve(false);
        }, readyTimeoutMs);
        client.once("ready", onReady);
        client.connect().catch(() => undefined); // failures surface as "error" events and retries
      });
      if (!isReady) {
        logger.warn(
          { redis: redactUrlCredentials(urls[index] ?? ""), readyTimeoutMs },
          "Redis lock master not ready at start; continuing while it reconnects",
        );
      }
    }),
  );
  return clients;
}

function watched(url: string, logger: Logger, name: string, extra: RedisOptions): Redis {
  const redis = redactUrlCredentials(url);
  let healthy = true;
  const client = new Redis(url, {
    connectionName: name,
    retryStrategy: (times) => backoffDelay(times, RECONNECT_BACKOFF),
    ...extra,
  });
  client.on("ready", () => {
    healthy = true;
    logger.info({ redis, client: name }, "Redis ready");
  });
  client.on("error", (err: Error) => {
    // Every failed reconnect emits "error": log the first of an outage, the rest at debug.
    if (healthy) logger.warn({ redis, client: name, err }, "Redis connection error; reconnecting");
    else logger.debug({ redis, client: name, err }, "Redis still unavailable");
    healthy = false;
  });
  client.on("end", () => logger.info({ redis, client: name }, "Redis connection ended"));
  return client;
}
