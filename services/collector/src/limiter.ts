/**
 * A counting semaphore: at most `limit` tasks hold a slot at once; `idle()` resolves when none do.
 * One per replica bounds its SSH sessions, triggers and jobs together (`COLLECTOR_CONCURRENCY`);
 * triggers ask with `priority` so a person waiting goes before the next scheduled job.
 */
export interface Limiter {
  /**
   * Waits for a free slot (priority waiters first, each group in order); call the returned
   * function exactly once to give it back.
   */
  acquire(options?: { priority?: boolean }): Promise<() => void>;
  /** Resolves once no slot is held (immediately when none is). */
  idle(): Promise<void>;
  readonly active: number;
}

export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError("limit must be a positive integer");
  let active = 0;
  const waiting: Array<() => void> = [];
  const priorityWaiting: Array<() => void> = [];
  let idleWaiters: Array<() => void> = [];

  const release = (): void => {
    const next = priorityWaiting.shift() ?? waiting.shift();
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
    acquire(options) {
      if (active < limit) {
        active += 1;
        return Promise.resolve(once());
      }
      // The slot passes straight from releaser to waiter, so `active` stays put.
      const queue = options?.priority ? priorityWaiting : waiting;
      return new Promise((resolve) => queue.push(() => resolve(once())));
    },
    idle() {
      return active === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
