import { backoffDelay } from "@netledger/platform";
import type { BackupOutcome } from "../backup/backup-types.js";

/** What to do with a delivered job once its backup ended. */
export type JobAction =
  | { readonly kind: "ack"; readonly reason: "success" | "locked" }
  | { readonly kind: "nak"; readonly delayMs: number }
  | { readonly kind: "term"; readonly reason: "permanent" }
  | { readonly kind: "dead-letter"; readonly reason: string };

export interface RetryPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

export interface DeliveryFacts {
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  /** The consumer's max_deliver; -1 or 0 means unlimited. */
  readonly maxDeliver: number;
}

/**
 * Pure decision for one finished job:
 * - success → ack (the snapshot's PubAck came first);
 * - locked → ack: another backup of this device is running right now (a trigger, or a duplicate
 *   job), and it publishes the snapshot this job wanted; retrying would only collect again;
 * - permanent failure → term (the failure event is already published; retrying cannot help);
 * - transient failure → nak with exponential back-off, or on the last allowed delivery publish a
 *   dead letter then term (after max_deliver a work-queue message would otherwise stay forever).
 */
export function decideJobAction(outcome: BackupOutcome, delivery: DeliveryFacts, retry: RetryPolicy): JobAction {
  switch (outcome.kind) {
    case "success":
      return { kind: "ack", reason: "success" };
    case "locked":
      return { kind: "ack", reason: "locked" };
    case "failed":
      if (outcome.permanent) return { kind: "term", reason: "permanent" };
      if (isLastDelivery(delivery)) {
        return { kind: "dead-letter", reason: `failed on last delivery (${delivery.deliveryCount}): ${outcome.code}` };
      }
      return { kind: "nak", delayMs: backoffDelay(delivery.deliveryCount, retry) };
  }
}

/** True when JetStream will not deliver this message again after a nak. */
export function isLastDelivery(delivery: DeliveryFacts): boolean {
  return delivery.maxDeliver > 0 && delivery.deliveryCount >= delivery.maxDeliver;
}
