import { createHash } from "node:crypto";

/**
 * Pure scheduling decisions: when a device is due, which slot a job belongs to, and when the
 * next slot starts. No I/O and no clock of its own: callers pass `now`.
 *
 * A device's next regular slot is `devices.next_due_at`. The leader that enqueues a slot moves
 * `next_due_at` to the following slot in the same transaction, so the slot is recorded in
 * PostgreSQL (beyond JetStream's 10-minute duplicate window). After a failed backup the device is
 * retried sooner, after a back-off that grows with its consecutive failures; a retry slot counts
 * as enqueued once `last_scheduled_slot_at` reaches it.
 */

export interface SchedulePolicy {
  /** Interval of devices without a `backup_interval_seconds` override (BACKUP_INTERVAL). */
  readonly defaultIntervalMs: number;
  /** Spread of the next slot: interval × (1 ± jitterPercent/200), so ±5 % for 10. */
  readonly jitterPercent: number;
  /** Back-off after 1, 2, 3... consecutive failures; the last step repeats. */
  readonly retryBackoffMs: readonly number[];
}

/** What the scheduler knows about one device, read from its row. */
export interface DeviceScheduleState {
  readonly deviceId: string;
  readonly enabled: boolean;
  readonly blockedReason: string | null;
  /** Per-device override, seconds. */
  readonly intervalSeconds: number | null;
  /** Start of the next regular slot. */
  readonly nextDueAt: Date;
  readonly consecutiveFailures: number;
  /** When the last failed attempt ended; null when the last attempt did not fail. */
  readonly lastFailureAt: Date | null;
  /** Slot of the last job this scheduler enqueued for the device. */
  readonly lastScheduledSlotAt: Date | null;
}

export type ScheduleDecision =
  | { readonly kind: "skip"; readonly reason: "disabled" | "blocked" }
  | { readonly kind: "wait"; readonly dueAt: Date }
  | {
      readonly kind: "enqueue";
      readonly reason: "regular" | "retry";
      /** Identity of the slot: the job's due time and part of its msg id. */
      readonly slotAt: Date;
      /** Value of `next_due_at` once the job is enqueued. */
      readonly nextDueAt: Date;
    };

/** Issue defaults: 6 h, ±5 %, retries after 5 min, 15 min, then every hour. */
export const DEFAULT_SCHEDULE_POLICY: SchedulePolicy = Object.freeze({
  defaultIntervalMs: 6 * 3_600_000,
  jitterPercent: 10,
  retryBackoffMs: Object.freeze([5 * 60_000, 15 * 60_000, 60 * 60_000]),
});

/** The device's interval in milliseconds. */
export function intervalMsOf(state: Pick<DeviceScheduleState, "intervalSeconds">, policy: SchedulePolicy): number {
  return state.intervalSeconds !== null && state.intervalSeconds > 0
    ? state.intervalSeconds * 1000
    : policy.defaultIntervalMs;
}

/** Back-off before retrying a device that failed `consecutiveFailures` times in a row (≥ 1). */
export function retryBackoffMs(consecutiveFailures: number, policy: SchedulePolicy): number {
  const steps = policy.retryBackoffMs;
  if (steps.length === 0) return Number.POSITIVE_INFINITY;
  const index = Math.min(Math.max(consecutiveFailures, 1), steps.length) - 1;
  return steps[index] ?? Number.POSITIVE_INFINITY;
}

/**
 * When a failed device is retried, or null when no retry is pending: a device whose last attempt
 * failed is retried `retryBackoffMs` after that failure, unless that retry was enqueued already.
 * Permanent failures block the device (the ingestor sets `blocked_reason`), so only transient
 * failures reach this.
 */
export function retryDueAt(state: DeviceScheduleState, policy: SchedulePolicy): Date | null {
  if (state.consecutiveFailures < 1 || state.lastFailureAt === null) return null;
  const at = state.lastFailureAt.getTime() + retryBackoffMs(state.consecutiveFailures, policy);
  if (!Number.isFinite(at)) return null;
  if (state.lastScheduledSlotAt !== null && state.lastScheduledSlotAt.getTime() >= at) return null;
  return new Date(at);
}

/**
 * The decision for one device at `now`: skipped (disabled, blocked), not due yet, or enqueue a job
 * for a slot. A retry slot earlier than the regular one wins; the regular slot stays where it is.
 * A regular slot moves `next_due_at` one interval (± jitter) on, skipping slots missed while no
 * scheduler ran, so a device is never enqueued twice to catch up.
 */
export function decideSchedule(state: DeviceScheduleState, now: Date, policy: SchedulePolicy): ScheduleDecision {
  if (!state.enabled) return { kind: "skip", reason: "disabled" };
  if (state.blockedReason !== null) return { kind: "skip", reason: "blocked" };
  const retryAt = retryDueAt(state, policy);
  if (retryAt !== null && retryAt.getTime() < state.nextDueAt.getTime()) {
    if (retryAt.getTime() > now.getTime()) return { kind: "wait", dueAt: retryAt };
    return { kind: "enqueue", reason: "retry", slotAt: retryAt, nextDueAt: state.nextDueAt };
  }
  if (state.nextDueAt.getTime() > now.getTime()) return { kind: "wait", dueAt: state.nextDueAt };
  return {
    kind: "enqueue",
    reason: "regular",
    slotAt: state.nextDueAt,
    nextDueAt: nextSlotAfter(state.deviceId, state.nextDueAt, now, intervalMsOf(state, policy), policy.jitterPercent),
  };
}

/**
 * The slot after `slotAt`: one interval on, or as many whole intervals as needed to pass `now`,
 * plus a jitter in ±jitterPercent/2 % of the interval. The jitter is derived from the device id
 * and the slot, so every replica computes the same value and tests need no random seed.
 */
export function nextSlotAfter(
  deviceId: string,
  slotAt: Date,
  now: Date,
  intervalMs: number,
  jitterPercent: number,
): Date {
  const base = slotAt.getTime();
  const spread = (intervalMs * jitterPercent) / 100;
  const jitter = Math.round((jitterFraction(deviceId, base) - 0.5) * spread);
  const intervals = Math.max(1, Math.floor((now.getTime() - base - jitter) / intervalMs) + 1);
  return new Date(base + intervals * intervalMs + jitter);
}

/** A stable number in [0, 1) for a device and slot. */
export function jitterFraction(deviceId: string, slotMs: number): number {
  const digest = createHash("sha256").update(`${deviceId}:${slotMs}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/**
 * Job id and JetStream msg id of a device's slot: `sched:<deviceId>:<slot ms>`. Every leader
 * derives the same id for the same slot, so a slot re-published after a leader change within the
 * duplicate window is dropped by JetStream; beyond it, `next_due_at` has already moved on.
 */
export function scheduledJobId(deviceId: string, slotAt: Date): string {
  return `sched:${deviceId}:${slotAt.getTime()}`;
}
