import type { Logger } from "@netledger/platform";
import type { Clock } from "../clock.js";
import type { LeaderLock } from "./leader-lock.js";
import type { SchedulerMetrics } from "./metrics.js";

/** A job only the leader runs: the scheduler pass every tick, the retention sweep every so often. */
export interface LeaderDuty {
  readonly name: string;
  /** Minimum time between two runs; 0 runs it every tick. */
  readonly everyMs: number;
  run(): Promise<unknown>;
}

/** What one tick did, for tests and logs. */
export interface LeaderTick {
  readonly leader: boolean;
  /** Names of the duties that ran (and finished, with or without error). */
  readonly ran: readonly string[];
}

export interface LeaderDuties {
  /** One round: take or confirm leadership, then run the duties that are due. Never throws. */
  tick(): Promise<LeaderTick>;
  readonly isLeader: boolean;
  /** Ticks every `tickMs` until {@link stop}. */
  start(): void;
  /** Stops ticking, waits for the running tick, releases leadership (a follower takes over at once). */
  stop(): Promise<void>;
}

export interface LeaderDutiesOptions {
  readonly lock: LeaderLock;
  readonly duties: readonly LeaderDuty[];
  readonly tickMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: SchedulerMetrics | undefined;
}

/**
 * Runs the leader-only duties on whichever replica holds the leader lock. Every replica ticks;
 * a follower's tick only tries to take the lock, so a leader that dies is replaced within one
 * tick after PostgreSQL released its lock.
 */
export function createLeaderDuties(options: LeaderDutiesOptions): LeaderDuties {
  const { lock, logger, clock } = options;
  const lastRun = new Map<string, number>();
  let leader = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<LeaderTick> | undefined;

  const tickOnce = async (): Promise<LeaderTick> => {
    const now = await lock.acquire();
    if (now !== leader) {
      leader = now;
      options.metrics?.leader.set(now ? 1 : 0);
      if (now) {
        options.metrics?.leaderAcquired.inc();
        lastRun.clear();
        logger.info("became scheduler leader");
      } else {
        logger.info("no longer scheduler leader");
      }
    }
    if (!leader) return { leader, ran: [] };
    const ran: string[] = [];
    for (const duty of options.duties) {
      const at = clock.now().getTime();
      const last = lastRun.get(duty.name);
      if (last !== undefined && at - last < duty.everyMs) continue;
      lastRun.set(duty.name, at);
      try {
        await duty.run();
      } catch (err) {
        options.metrics?.dutyErrors.inc({ duty: duty.name });
        logger.error({ err, duty: duty.name }, "leader duty failed; retried next tick");
      }
      ran.push(duty.name);
    }
    return { leader, ran };
  };

  const tick = (): Promise<LeaderTick> => {
    // One tick at a time: a timer tick and a test's tick never overlap.
    const next = (running ?? Promise.resolve()).then(tickOnce, tickOnce);
    running = next;
    return next;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void tick().finally(schedule);
    }, options.tickMs);
  };

  return {
    tick,
    get isLeader() {
      return leader && lock.held;
    },
    start() {
      stopped = false;
      void tick().finally(schedule);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => {});
      await lock.release();
      if (leader) logger.info("scheduler leadership released");
      leader = false;
      options.metrics?.leader.set(0);
    },
  };
}
