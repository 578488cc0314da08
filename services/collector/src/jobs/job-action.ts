import { backoffDelay } from "@netledger/platform";
import type { BackupOutcome } from "../backup/backup-types.js";

/**
 * What to do with a delivered job once its backup ended. `nak` puts it back without spending an
 * attempt (JetStream counts the delivery, but the consumer's max_deliver is unlimited and
 * attempts are counted in the job's header); `retry` republishes it as the next attempt, due
 * after the back-off, then acks this copy.
 */
export type JobAction =
  | { readonly kind: "ack"; readonly reason: "success" }
  | { readonly kind: "nak"; readonly delayMs: number; readonly reason: NakReason }
  | { readonly kind: "retry"; readonly attempt: number; readonly delayMs: number }
  | { readonly kind: "term"; readonly reason: "permanent" }
  | { readonly kind: "dead-letter"; readonly reason: string };

export type NakReason = "locked" | "lock-outage" | "interrupted" | "not-due";

export interface RetryPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

export interface JobPolicy {
  readonly retry: RetryPolicy;
  /** Failed attempts (device or publish failures) before a job is dead-lettered. */
  readonly maxAttempts: number;
  /** Lifetime of a device lock: a job that found its device locked comes back after it. */
  readonly lockTtlMs: number;
}

export interface DeliveryFacts {
  /** This copy's attempt number (header JOB_HEADERS.attempt; 1 when absent). */
  readonly attempt: number;
  /** JetStream's delivery count of this copy (1 on the first delivery). */
  readonly deliveryCount: number;
}

/**
 * Deliveries of one copy after which it is dead-lettered even though no attempt failed: a job
 * that kills its collector every time comes back after each ack_wait and would loop forever.
 * Lock contention, outages and shutdowns nak far fewer times than this.
 */
export const MAX_DELIVERIES_PER_COPY = 100;

/**
 * Pure decision for one finished job (architecture invariant 3: acked only with a snapshot or a
 * final failure):
 * - success → ack (the snapshot's PubAck came first);
 * - locked → nak after the lock's lifetime: the holder may be a trigger that fails or a replica
 *   that dies, so this job must still run; not an attempt;
 * - lock quorum unavailable → nak after the back-off, not an attempt (the worker also stops
 *   pulling until the quorum is back);
 * - interrupted by a shutdown → nak after the back-off base (SSH closed and lock released first);
 * - permanent failure → term (the failure event is already published; retrying cannot help);
 * - transient failure → retry as the next attempt after an exponential back-off, or dead-letter
 *   once `maxAttempts` attempts failed.
 */
export function decideJobAction(outcome: BackupOutcome, delivery: DeliveryFacts, policy: JobPolicy): JobAction {
  switch (outcome.kind) {
    case "success":
      return { kind: "ack", reason: "success" };
    case "locked":
      return { kind: "nak", delayMs: policy.lockTtlMs, reason: "locked" };
    case "interrupted":
      return { kind: "nak", delayMs: policy.retry.baseMs, reason: "interrupted" };
    case "failed":
      if (outcome.permanent) return { kind: "term", reason: "permanent" };
      if (outcome.code === "LOCK_UNAVAILABLE") {
        return { kind: "nak", delayMs: policy.retry.baseMs, reason: "lock-outage" };
      }
      if (delivery.attempt >= policy.maxAttempts) {
        return { kind: "dead-letter", reason: `failed on last attempt (${delivery.attempt}): ${outcome.code}` };
      }
      return { kind: "retry", attempt: delivery.attempt + 1, delayMs: backoffDelay(delivery.attempt, policy.retry) };
  }
}

/**
 * Before running a copy: nak it back while its retry back-off runs (`notBefore`), dead-letter it
 * past {@link MAX_DELIVERIES_PER_COPY}; null means run it.
 */
export function decideBeforeRun(
  delivery: DeliveryFacts,
  notBefore: number | null,
  nowMs: number,
): Extract<JobAction, { kind: "nak" | "dead-letter" }> | null {
  if (delivery.deliveryCount > MAX_DELIVERIES_PER_COPY) {
    return { kind: "dead-letter", reason: `delivered ${delivery.deliveryCount} times without an outcome` };
  }
  if (notBefore !== null && notBefore > nowMs) return { kind: "nak", delayMs: notBefore - nowMs, reason: "not-due" };
  return null;
}
