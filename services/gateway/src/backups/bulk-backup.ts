import type { JetStreamClient } from "@nats-io/jetstream";
import { type BackupJob, BackupJobCodec, type ErrorCode, type Wire } from "@netledger/contracts";
import type { Database, JsonObject } from "@netledger/db";
import type { Kysely } from "kysely";
import { backupTargetOf, selectBackupTargets } from "../trigger/device-target.js";

/** Which devices a bulk backup covers: enabled devices matching every given criterion. */
export interface BulkBackupFilter {
  readonly deviceIds?: readonly string[];
  readonly namePrefix?: string;
  readonly lastStatus?: readonly ("success" | "unchanged" | "failed")[];
}

export interface BulkBackupDeps {
  readonly db: Kysely<Database>;
  readonly js: JetStreamClient;
  readonly wire: Wire;
  /** Wait for each job's PubAck at most this long. */
  readonly publishTimeoutMs: number;
}

export interface BulkBackupStarted {
  readonly batchId: string;
  readonly deviceCount: number;
  /** Jobs that could not be enqueued (reported as failed with `PUBLISH_FAILED` in the progress). */
  readonly enqueueFailures: number;
}

/** Jobs published at once; each waits for its PubAck. */
const PUBLISH_WINDOW = 64;
const INSERT_CHUNK = 1_000;
/** Matches no device: an empty id list selects nothing (SQL `in ()` is not valid). */
const NO_DEVICE = "00000000-0000-0000-0000-000000000000";

/** Job id of one device's job in a batch: also its `Nats-Msg-Id`, so a re-publish is stored once. */
export function batchJobId(batchId: string, deviceId: string): string {
  return `batch:${batchId}:${deviceId}`;
}

/**
 * Starts a bulk backup: records the batch and one job per matching device in PostgreSQL first
 * (so progress can show them pending), then publishes the `BackupJob`s to the work-queue stream
 * the collectors pull from. The ingestor's `job_outcomes` rows, joined on `job_id`, are the
 * progress. A job whose publish fails is marked with its error at once instead of staying
 * pending forever.
 */
export async function startBulkBackup(
  deps: BulkBackupDeps,
  input: { readonly tenantId: string; readonly actor: string; readonly filter: BulkBackupFilter },
): Promise<BulkBackupStarted> {
  const { db, wire } = deps;
  let query = selectBackupTargets(db, input.tenantId).where("d.enabled", "=", true);
  const { deviceIds, namePrefix, lastStatus } = input.filter;
  if (deviceIds) query = query.where("d.id", "in", deviceIds.length ? [...deviceIds] : [NO_DEVICE]);
  if (namePrefix) query = query.where("d.name", "like", `${escapeLike(namePrefix)}%`);
  if (lastStatus?.length) query = query.where("d.last_backup_status", "in", [...lastStatus]);
  const targets = (await query.orderBy("d.name").execute()).map(backupTargetOf);

  const batchId = await db.transaction().execute(async (trx) => {
    const batch = await trx
      .insertInto("backup_batches")
      .values({
        tenant_id: input.tenantId,
        created_by: input.actor,
        filter: input.filter as JsonObject,
        device_count: targets.length,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    for (let i = 0; i < targets.length; i += INSERT_CHUNK) {
      await trx
        .insertInto("backup_batch_jobs")
        .values(
          targets.slice(i, i + INSERT_CHUNK).map((t) => ({
            batch_id: batch.id,
            job_id: batchJobId(batch.id, t.deviceId),
            tenant_id: t.tenantId,
            device_id: t.deviceId,
            device_name: t.device?.name ?? t.deviceId,
            enqueue_error: t.device ? null : ("DRIVER_UNKNOWN" satisfies ErrorCode),
          })),
        )
        .execute();
    }
    return batch.id;
  });

  const dueAt = new Date().toISOString();
  const failed: string[] = [];
  const publishable = targets.filter((t) => t.device);
  for (let i = 0; i < publishable.length; i += PUBLISH_WINDOW) {
    await Promise.all(
      publishable.slice(i, i + PUBLISH_WINDOW).map(async (t) => {
        const job: BackupJob = {
          jobId: batchJobId(batchId, t.deviceId),
          tenantId: t.tenantId,
          deviceId: t.deviceId,
          device: t.device!,
          dueAt,
          batchId,
        };
        try {
          await deps.js.publish(wire.subjects.backupJobs, BackupJobCodec.encode(job), {
            msgID: job.jobId,
            timeout: deps.publishTimeoutMs,
          });
        } catch {
          failed.push(t.deviceId);
        }
      }),
    );
  }
  if (failed.length) {
    await db
      .updateTable("backup_batch_jobs")
      .set({ enqueue_error: "PUBLISH_FAILED" satisfies ErrorCode })
      .where("batch_id", "=", batchId)
      .where("device_id", "in", failed)
      .execute();
  }
  return {
    batchId,
    deviceCount: targets.length,
    enqueueFailures: failed.length + (targets.length - publishable.length),
  };
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
