import { env } from "@netledger/platform";
import type { SchedulePolicy } from "./schedule-policy.js";

/**
 * Environment keys of the scheduler, spread into the ingestor's config schema (`config.ts`
 * parses them with the rest). Defaults are production's; README.md documents each.
 */
export const schedulerConfigShape = {
  /** Run the scheduler (and retention) duties when this replica is leader. */
  SCHEDULER_ENABLED: env.bool(true),
  /** Default interval between backups of a device; `devices.backup_interval_seconds` overrides it. */
  BACKUP_INTERVAL_MS: env.durationMs(6 * 3_600_000),
  /** Next slot = interval ± half this percentage, so devices added together drift apart. */
  SCHEDULER_JITTER_PERCENT: env.intInRange(10, 0, 50),
  /** Retry delays after 1, 2, 3... consecutive failed backups (last one repeats); `off` disables. */
  SCHEDULER_RETRY_BACKOFF: env.durationListMs("5m,15m,1h"),
  /** How often each replica tries to lead and the leader looks for due devices. */
  SCHEDULER_TICK_MS: env.durationMs(5_000),
  /** Longest a dead or cut-off leader keeps leadership; also bounds its PostgreSQL session checks. */
  SCHEDULER_LEASE_MS: env.durationMs(15_000),
  /** Devices enqueued per transaction. */
  SCHEDULER_BATCH_SIZE: env.intInRange(500, 1, 10_000),
} as const;

/** The parts of the parsed config the scheduler reads. */
export interface SchedulerConfig {
  readonly SCHEDULER_ENABLED: boolean;
  readonly BACKUP_INTERVAL_MS: number;
  readonly SCHEDULER_JITTER_PERCENT: number;
  readonly SCHEDULER_RETRY_BACKOFF: readonly number[];
  readonly SCHEDULER_TICK_MS: number;
  readonly SCHEDULER_LEASE_MS: number;
  readonly SCHEDULER_BATCH_SIZE: number;
}

export function schedulePolicyOf(config: SchedulerConfig): SchedulePolicy {
  return Object.freeze({
    defaultIntervalMs: Math.max(1_000, config.BACKUP_INTERVAL_MS),
    jitterPercent: config.SCHEDULER_JITTER_PERCENT,
    retryBackoffMs: Object.freeze([...config.SCHEDULER_RETRY_BACKOFF]),
  });
}
