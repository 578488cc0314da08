import { type ExecutionStats, type Lock, Redlock, ResourceLockedError } from "@sesamecare-oss/redlock";
import type { Redis } from "ioredis";
import { DeviceLockedError, LockUnavailableError } from "../errors.js";

/**
 * Per-device mutual exclusion across every collector replica: no two SSH sessions to one device
 * at once, whether the backup was triggered or scheduled.
 */
export interface DeviceLocks {
  /**
   * Runs `fn` while holding the device's lock, extending it as long as `fn` runs, and releases
   * it afterwards. Throws {@link DeviceLockedError} at once when another backup holds it and
   * {@link LockUnavailableError} fast when the Redis quorum is gone. If the lock cannot be
   * extended before it expires, `signal` aborts with a LockUnavailableError: stop touching the device.
   */
  withLock<T>(deviceId: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

export interface RedlockDeviceLocksOptions {
  /** Independent Redis masters (one is fine; three tolerate one down). Created with enableOfflineQueue: false. */
  readonly clients: readonly Redis[];
  /** e.g. "netledger:" → keys `netledger:lock:device:<deviceId>`. */
  readonly keyPrefix: string;
  /** Lock lifetime; it is extended every third of it while the backup runs. */
  readonly ttlMs: number;
  /** Upper bound on one acquire, even if a Redis master stops answering without closing. */
  readonly acquireTimeoutMs?: number;
  /** Called when a release or extension fails (the lock then simply expires). */
  readonly onError?: (what: "release" | "extend", err: unknown) => void;
}

const DEFAULT_ACQUIRE_TIMEOUT_MS = 2_000;
/** How long to wait for the remaining votes when telling "held by someone" from "quorum lost". */
const VOTE_GRACE_MS = 250;

/**
 * Redlock over the given masters with `retryCount: 0`: a held lock is an answer, not something
 * to wait for. Release errors never fail the backup: the lock expires by itself after `ttlMs`.
 */
export function createRedlockDeviceLocks(options: RedlockDeviceLocksOptions): DeviceLocks {
  const redlock = new Redlock(options.clients, { retryCount: 0, driftFactor: 0.01 });
  const acquireTimeoutMs = options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS;
  const extendEveryMs = Math.max(1, Math.floor(options.ttlMs / 3));
  const onError = options.onError ?? (() => {});

  const acquire = (key: string): Promise<Lock> => {
    const attempt = redlock.acquire([key], options.ttlMs);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // A lock granted after we gave up must not linger until it expires.
        attempt.then((lock) => lock.release()).catch(() => {});
        reject(new LockUnavailableError("lock quorum did not answer in time"));
      }, acquireTimeoutMs);
    });
    return Promise.race([attempt, timeout])
      .catch(async (err: unknown) => {
        if (err instanceof LockUnavailableError) throw err;
        throw (await isHeldElsewhere(err))
          ? new DeviceLockedError()
          : new LockUnavailableError("lock quorum unavailable", { cause: err });
      })
      .finally(() => clearTimeout(timer));
  };

  return {
    async withLock(deviceId, fn) {
      let lock = await acquire(`${options.keyPrefix}lock:device:${deviceId}`);
      const controller = new AbortController();
      let extending: Promise<void> = Promise.resolve();
      const extend = async (): Promise<void> => {
        try {
          lock = await lock.extend(options.ttlMs);
        } catch (err) {
          onError("extend", err);
          // Keep trying while the current grant is still valid; past that, exclusivity is gone.
          if (Date.now() + extendEveryMs >= lock.expiration) {
            controller.abort(new LockUnavailableError("device lock lost while the backup ran", { cause: err }));
            clearInterval(timer);
          }
        }
      };
      const timer = setInterval(() => {
        extending = extend();
      }, extendEveryMs);
      try {
        return await fn(controller.signal);
      } finally {
        clearInterval(timer);
        await extending;
        await lock.release().catch((err: unknown) => onError("release", err));
      }
    },
  };
}

/** True when at least one master voted against because the key is held (not because it is down). */
async function isHeldElsewhere(err: unknown): Promise<boolean> {
  const attempts = (err as { attempts?: ReadonlyArray<Promise<ExecutionStats>> }).attempts;
  const last = attempts?.[attempts.length - 1];
  if (!last) return false;
  const stats = await Promise.race([last, new Promise<null>((r) => setTimeout(r, VOTE_GRACE_MS, null).unref())]);
  if (!stats) return false;
  return [...stats.votesAgainst.values()].some((e) => e instanceof ResourceLockedError);
}
