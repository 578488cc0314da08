import { env } from "@netledger/platform";
import type { RetentionPolicy } from "./retention-policy.js";

/** Environment keys of the retention sweep, spread into the ingestor's config schema. */
export const retentionConfigShape = {
  /** Every version last seen within this many days is kept. */
  CONFIG_RETENTION_DAYS: env.intInRange(90, 1, 36_500),
  /** Keep the last version of each UTC day for versions younger than this (0: off). */
  CONFIG_RETENTION_DAILY_DAYS: env.intInRange(0, 0, 36_500),
  /** Keep the last version of each ISO week for versions younger than this (0: off). */
  CONFIG_RETENTION_WEEKLY_DAYS: env.intInRange(0, 0, 36_500),
  /** Keep the last version of each calendar month for versions younger than this (0: off). */
  CONFIG_RETENTION_MONTHLY_DAYS: env.intInRange(0, 0, 36_500),
  /** Time between two sweeps on the leader. */
  RETENTION_SWEEP_INTERVAL_MS: env.durationMs(3_600_000),
} as const;

export interface RetentionConfig {
  readonly CONFIG_RETENTION_DAYS: number;
  readonly CONFIG_RETENTION_DAILY_DAYS: number;
  readonly CONFIG_RETENTION_WEEKLY_DAYS: number;
  readonly CONFIG_RETENTION_MONTHLY_DAYS: number;
  readonly RETENTION_SWEEP_INTERVAL_MS: number;
}

export function retentionPolicyOf(config: RetentionConfig): RetentionPolicy {
  return Object.freeze({
    keepAllDays: config.CONFIG_RETENTION_DAYS,
    dailyDays: config.CONFIG_RETENTION_DAILY_DAYS,
    weeklyDays: config.CONFIG_RETENTION_WEEKLY_DAYS,
    monthlyDays: config.CONFIG_RETENTION_MONTHLY_DAYS,
  });
}
