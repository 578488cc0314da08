/**
 * A counting semaphore: at most `limit` tasks hold a slot at once; `idle()` resolves when none do.
 * Bounds SSH sessions per replica, for triggers and jobs alike.
 */
export interface Limiter {
  /** Waits for a free slot; call the returned function exactly once to give it back. */
  acquire(): Promise<() => void>;
  /** Resolves once no slot is held (immediately when none is). */
  idle(): Promise<void>;
  readonly active: number;
}

export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError("limit must be a positive integer");
  let active = 0;
  const waiting: Array<() => void> = [];
  let idleWaiters: Array<() => void> = [];

  const release = (): void => {
    const next = waiting.shift();
    if (next) {
      next();
      return;
    }
    active -= 1;
    if (active === 0) {
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
    }
  };
  const once = (): (() => void) => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
    };
  };

  return {
    get active() {
      return active;
    },
    acquire() {
      if (active < limit) {
        active += 1;
        return Promise.resolve(once());
      }
      // The slot passes straight from releaser to waiter, so `active` stays put.
      return new Promise((resolve) => waiting.push(() => resolve(once())));
    },
    idle() {
      return active === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
