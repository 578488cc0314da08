import type { JetStreamClient } from "@nats-io/jetstream";
import { type BackupJob, BackupJobCodec, type Wire } from "@netledger/contracts";
import type { Database } from "@netledger/db";
import type { Logger } from "@netledger/platform";
import { type Kysely, sql, type Transaction } from "kysely";
import type { Clock } from "../clock.js";
import { type DueDevice, lockDueDevices, recordScheduledSlots, type ScheduledSlot } from "./due-devices.js";
import type { SchedulerMetrics } from "./metrics.js";
import { decideSchedule, type SchedulePolicy, scheduledJobId } from "./schedule-policy.js";

export interface SchedulerDeps {
  readonly db: Kysely<Database>;
  readonly js: JetStreamClient;
  readonly wire: Wire;
  readonly policy: SchedulePolicy;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Devices locked, published and recorded per transaction. */
  readonly batchSize: number;
  readonly publishTimeoutMs: number;
  /**
   * Fencing check run inside each enqueue transaction before anything is published (the leader
   * lock's `fence`); false aborts the pass. Absent: no check (tests of a single scheduler).
   */
  readonly fence?: ((trx: Kysely<Database>) => Promise<boolean>) | undefined;
  readonly metrics?: SchedulerMetrics | undefined;
}

/** What one pass did. */
export interface SchedulePassResult {
  /** Jobs JetStream stored. */
  readonly published: number;
  /** Jobs JetStream had already stored under the same msg id (a slot re-published after a leader change). */
  readonly duplicates: number;
  /** Publishes that failed: those devices stay due and are tried again next pass. */
  readonly failed: number;
  /** Devices whose row cannot make a valid job (e.g. an unknown driver): their slot is passed over. */
  readonly invalid: number;
  /** False when the fence said this replica no longer leads. */
  readonly fenced: boolean;
}

export interface Scheduler {
  /** Enqueues every device due now, batch by batch; one pass per leader tick. */
  runOnce(): Promise<SchedulePassResult>;
}

/** Upper bound of batches in one pass, so one pass always ends (the next tick continues). */
const MAX_BATCHES_PER_PASS = 100;

/**
 * The scheduler's enqueue pass. Per batch, in one transaction: lock due devices
 * (`FOR UPDATE SKIP LOCKED`), check the fence, publish one job per device with msg id
 * `sched:<deviceId>:<slot>` and await every PubAck, then move each published device's
 * `next_due_at` and record its slot, and commit. A crash before commit leaves the rows as they
 * were, and whoever leads next publishes the same msg ids (JetStream drops them within its
 * duplicate window; the transaction is far shorter than the window). After commit the slot is
 * in PostgreSQL, so it is never enqueued again whatever the window.
 */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { db, logger } = deps;
  return {
    async runOnce() {
      const total = { published: 0, duplicates: 0, failed: 0, invalid: 0, fenced: false };
      for (let batch = 0; batch < MAX_BATCHES_PER_PASS; batch++) {
        const result = await db.transaction().execute((trx) => enqueueBatch(deps, trx));
        total.published += result.published;
        total.duplicates += result.duplicates;
        total.failed += result.failed;
        total.invalid += result.invalid;
        if (result.fenced) return { ...total, fenced: true };
        if (result.locked < deps.batchSize || result.failed > 0) break;
      }
      if (total.published + total.failed + total.invalid > 0) logger.debug(total, "scheduler pass");
      return total;
    },
  };
}

async function enqueueBatch(
  deps: SchedulerDeps,
  trx: Transaction<Database>,
): Promise<SchedulePassResult & { locked: number }> {
  const none = { published: 0, duplicates: 0, failed: 0, invalid: 0, fenced: false, locked: 0 };
  // A stuck leader must not keep rows locked (and its publishes undeduplicated) for long.
  await sql`set local idle_in_transaction_session_timeout = ${sql.lit(`${Math.max(1_000, 2 * deps.publishTimeoutMs)}ms`)}`.execute(
    trx,
  );
  const now = deps.clock.now();
  const due = await lockDueDevices(trx, now, deps.policy, deps.batchSize);
  if (due.length === 0) return none;
  if (deps.fence && !(await deps.fence(trx))) return { ...none, fenced: true, locked: due.length };

  const recorded: ScheduledSlot[] = [];
  const publishes: Promise<"published" | "duplicate" | "failed">[] = [];
  let invalid = 0;
  for (const device of due) {
    const decision = decideSchedule(device, now, deps.policy);
    if (decision.kind !== "enqueue") continue;
    const slot = { deviceId: device.deviceId, slotAt: decision.slotAt, nextDueAt: decision.nextDueAt };
    let payload: Uint8Array;
    try {
      payload = BackupJobCodec.encode(jobOf(device, decision.slotAt));
    } catch (err) {
      invalid++;
      recorded.push(slot);
      deps.metrics?.invalidDevices.inc();
      deps.logger.warn({ deviceId: device.deviceId, err }, "device cannot make a valid backup job; slot passed over");
      continue;
    }
    publishes.push(
      deps.js
        .publish(deps.wire.subjects.backupJobs, payload, {
          msgID: scheduledJobId(device.deviceId, decision.slotAt),
          timeout: deps.publishTimeoutMs,
        })
        .then((ack) => {
          recorded.push(slot);
          const result = ack.duplicate ? "duplicate" : "published";
          deps.metrics?.jobs.inc({ reason: decision.reason, result });
          return result;
        })
        .catch((err: unknown) => {
          deps.metrics?.jobs.inc({ reason: decision.reason, result: "failed" });
          deps.logger.warn({ deviceId: device.deviceId, err }, "could not publish backup job; the device stays due");
          return "failed" as const;
        }),
    );
  }
  const results = await Promise.all(publishes);
  await recordScheduledSlots(trx, recorded);
  const count = (r: string) => results.filter((x) => x === r).length;
  return {
    published: count("published"),
    duplicates: count("duplicate"),
    failed: count("failed"),
    invalid,
    fenced: false,
    locked: due.length,
  };
}

function jobOf(device: DueDevice, slotAt: Date): BackupJob {
  if (device.target === null) throw new Error("the device's driver is unknown to this build");
  return {
    jobId: scheduledJobId(device.deviceId, slotAt),
    tenantId: device.tenantId,
    deviceId: device.deviceId,
    device: device.target,
    dueAt: slotAt.toISOString(),
  };
}
