import { jetstream } from "@nats-io/jetstream";
import { z } from "zod";
import { Id, TenantParams } from "../api/validation.js";
import { recordAudit } from "../audit.js";
import { batchProgress } from "../backups/batch-progress.js";
import { startBulkBackup } from "../backups/bulk-backup.js";
import { NotFoundError } from "../errors.js";
import type { RouteRegistrar } from "./index.js";

/** Longest wait for each job's JetStream PubAck. */
const PUBLISH_TIMEOUT_MS = 10_000;
/** Most devices one explicit id list may name. */
const MAX_DEVICE_IDS = 10_000;

const BulkBackupBody = z.strictObject({
  /** Which devices: enabled devices matching every criterion given; none given means every enabled device. */
  filter: z
    .strictObject({
      deviceIds: z.array(Id).min(1).max(MAX_DEVICE_IDS).optional(),
      namePrefix: z.string().min(1).max(255).optional(),
      lastStatus: z
        .array(z.enum(["success", "unchanged", "failed"]))
        .min(1)
        .max(3)
        .optional(),
    })
    .default({}),
});

const BatchStartedSchema = z.object({
  batchId: z.uuid(),
  deviceCount: z.number().int().nonnegative(),
  enqueueFailures: z.number().int().nonnegative(),
});

const JobStatus = z.enum(["pending", "succeeded", "unchanged", "failed"]);
const BatchProgressSchema = z.object({
  batchId: z.uuid(),
  createdAt: z.iso.datetime({ offset: true }),
  createdBy: z.string(),
  deviceCount: z.number().int().nonnegative(),
  counts: z.object({
    pending: z.number().int().nonnegative(),
    succeeded: z.number().int().nonnegative(),
    unchanged: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
  }),
  done: z.boolean(),
  devices: z.array(
    z.object({
      deviceId: z.uuid(),
      deviceName: z.string(),
      status: JobStatus,
      code: z.string().nullable(),
      snapshotId: z.uuid().nullable(),
      at: z.iso.datetime({ offset: true }).nullable(),
    }),
  ),
});

/** Bulk backups: enqueue one job per device on the collectors' work queue, then follow them. */
export const registerBackupRoutes: RouteRegistrar = (api, deps) => {
  const js = jetstream(deps.nc);

  api.route({
    method: "post",
    path: "/api/tenants/{tenantId}/backups",
    operationId: "startBulkBackup",
    summary: "Back up many devices",
    description:
      "Enqueues a backup job for every enabled device of the tenant matching the filter, and answers at once " +
      "with a batch id to follow at `GET /api/tenants/{tenantId}/backups/{batchId}`.",
    tags: ["backups"],
    access: { role: "operator" },
    params: TenantParams,
    body: BulkBackupBody,
    responses: {
      202: {
        description: "the jobs are enqueued",
        schema: BatchStartedSchema,
        headers: { location: "where to follow the batch's progress" },
      },
    },
    handler: async ({ params, body, auth }) => {
      const started = await startBulkBackup(
        { db: deps.db, js, wire: deps.wire, publishTimeoutMs: PUBLISH_TIMEOUT_MS },
        { tenantId: params.tenantId, actor: auth.tokenId, filter: body.filter },
      );
      await recordAudit(deps.db, auth, {
        tenantId: params.tenantId,
        action: "config_backup_bulk_trigger",
        targetType: "backup_batch",
        targetId: started.batchId,
        detail: { deviceCount: started.deviceCount, enqueueFailures: started.enqueueFailures },
      });
      return {
        status: 202,
        body: started,
        headers: { location: `/api/tenants/${params.tenantId}/backups/${started.batchId}` },
      };
    },
  });

  api.route({
    method: "get",
    path: "/api/tenants/{tenantId}/backups/{batchId}",
    operationId: "getBulkBackup",
    summary: "Progress of a bulk backup",
    description:
      "Per device: pending, succeeded, unchanged, or failed with its error code. A failed job may still " +
      "succeed later: collectors retry transient failures.",
    tags: ["backups"],
    access: { role: "viewer" },
    params: z.strictObject({ tenantId: Id, batchId: Id }),
    responses: { 200: { description: "the batch and its devices", schema: BatchProgressSchema } },
    handler: async ({ params }) => {
      const progress = await batchProgress(deps.db, params.tenantId, params.batchId);
      if (!progress) throw new NotFoundError("backup batch");
      return { status: 200, body: progress };
    },
  });
};
