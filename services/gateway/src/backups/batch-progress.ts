import type { Database } from "@netledger/db";
import type { Kysely } from "kysely";

/** Where one device's job of a bulk backup stands. */
export type JobProgress = "pending" | "succeeded" | "unchanged" | "failed";

export interface DeviceProgress {
  readonly deviceId: string;
  readonly deviceName: string;
  readonly status: JobProgress;
  /** Stable error code when `failed`. */
  readonly code: string | null;
  /** The stored (or unchanged latest) version on success. */
  readonly snapshotId: string | null;
  /** When the outcome was recorded (collected at, or failed at). */
  readonly at: string | null;
}

export interface BatchProgress {
  readonly batchId: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly deviceCount: number;
  readonly counts: Readonly<Record<JobProgress, number>>;
  /** True when no job is pending any more. */
  readonly done: boolean;
  readonly devices: readonly DeviceProgress[];
}

/**
 * Progress of one bulk backup of `tenantId` (null when it has no such batch): its jobs joined on
 * `job_id` to the ingestor's `job_outcomes`. A failed outcome may still turn into a success: the
 * collectors retry transient failures of a job, and the ingestor keeps its last outcome.
 */
export async function batchProgress(
  db: Kysely<Database>,
  tenantId: string,
  batchId: string,
): Promise<BatchProgress | null> {
  const batch = await db
    .selectFrom("backup_batches")
    .select(["id", "created_at", "created_by", "device_count"])
    .where("tenant_id", "=", tenantId)
    .where("id", "=", batchId)
    .executeTakeFirst();
  if (!batch) return null;
  const rows = await db
    .selectFrom("backup_batch_jobs as j")
    .leftJoin("job_outcomes as o", "o.job_id", "j.job_id")
    .select(["j.device_id", "j.device_name", "j.enqueue_error", "o.outcome", "o.error_code", "o.snapshot_id", "o.at"])
    .where("j.batch_id", "=", batch.id)
    .orderBy("j.device_name")
    .execute();
  const counts: Record<JobProgress, number> = { pending: 0, succeeded: 0, unchanged: 0, failed: 0 };
  const devices = rows.map((row): DeviceProgress => {
    const status: JobProgress = row.enqueue_error
      ? "failed"
      : row.outcome === "stored"
        ? "succeeded"
        : (row.outcome ?? "pending");
    counts[status]++;
    return {
      deviceId: row.device_id,
      deviceName: row.device_name,
      status,
      code: row.enqueue_error ?? row.error_code ?? null,
      snapshotId: row.snapshot_id ?? null,
      at: row.at ? new Date(row.at).toISOString() : null,
    };
  });
  return {
    batchId: batch.id,
    createdAt: new Date(batch.created_at).toISOString(),
    createdBy: batch.created_by,
    deviceCount: batch.device_count,
    counts,
    done: counts.pending === 0,
    devices,
  };
}
