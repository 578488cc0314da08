import { z } from "zod";
import { DeviceParams, Id, pageSchema, queryCursor, queryLimit } from "../api/validation.js";
import { recordAudit } from "../audit.js";
import { isPlatformAdmin, roleAtLeast } from "../auth/roles.js";
import { ForbiddenError, NotFoundError } from "../errors.js";
import {
  type DiffView,
  diffBetween,
  diffWithPrevious,
  downloadFileName,
  readSnapshot,
} from "../history/snapshot-views.js";
import { listTimeline, listVersions } from "../history/version-pages.js";
import type { RouteRegistrar } from "./index.js";

const Timestamp = z.iso.datetime({ offset: true });
const Attributes = z.record(z.string(), z.string()).nullable();
const ChangeSchema = z.object({
  kind: z.string(),
  path: z.string(),
  identity: z.string(),
  summary: z.string(),
  before: Attributes,
  after: Attributes,
  secretChanged: z.boolean(),
});
const VersionSchema = z.object({
  snapshotId: z.uuid(),
  seq: z.number().int().positive(),
  sha256: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  collectedAt: Timestamp,
  lastSeenAt: Timestamp,
  softwareVersion: z.string().nullable(),
});
const TimelineEntrySchema = VersionSchema.extend({
  previousSnapshotId: z.uuid().nullable(),
  addedLines: z.number().int().nonnegative(),
  removedLines: z.number().int().nonnegative(),
  changes: z.array(ChangeSchema),
});
const SnapshotSchema = VersionSchema.extend({
  deviceId: z.uuid(),
  deviceName: z.string(),
  driver: z.string(),
  redacted: z.boolean(),
  content: z.string(),
});
const SnapshotRefSchema = z.object({ id: z.uuid(), seq: z.number().int().positive(), sha256: z.string() });
const DiffSchema = z.object({
  deviceId: z.uuid(),
  from: SnapshotRefSchema.nullable(),
  to: SnapshotRefSchema,
  unified: z.string(),
  added: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  changes: z.array(ChangeSchema),
});

const PageQuery = z.strictObject({ cursor: queryCursor.optional(), limit: queryLimit });
const SnapshotParams = DeviceParams.extend({ snapshotId: Id });
const RevealQuery = z.strictObject({
  reveal: z
    .enum(["secrets"], { message: "the only value is `secrets`" })
    .optional()
    .describe("`secrets`: the full text, secrets included (admin only, audited)"),
});
const DiffQuery = z.strictObject({ from: Id, to: Id });

/** Configuration history of a device: timeline, versions, text (redacted unless revealed), downloads and diffs. */
export const registerHistoryRoutes: RouteRegistrar = (api, { db, sealer }) => {
  api.route({
    method: "get",
    path: "/api/tenants/{tenantId}/devices/{deviceId}/config-history",
    operationId: "getConfigHistory",
    summary: "Timeline of a device's configuration versions",
    description:
      "Newest first, each version with the structured changes that introduced it (secret values never shown).",
    tags: ["history"],
    access: { role: "viewer" },
    params: DeviceParams,
    query: PageQuery,
    responses: { 200: { description: "one page of the timeline", schema: pageSchema(TimelineEntrySchema) } },
    handler: async ({ params, query }) => {
      const page = await listTimeline(db, { ...params, cursor: query.cursor, limit: query.limit });
      if (!page) throw new NotFoundError("device");
      return { status: 200, body: page };
    },
  });

  api.route({
    method: "get",
    path: "/api/tenants/{tenantId}/devices/{deviceId}/snapshots",
    operationId: "listSnapshots",
    summary: "A device's stored configuration versions",
    tags: ["history"],
    access: { role: "viewer" },
    params: DeviceParams,
    query: PageQuery,
    responses: { 200: { description: "one page of versions, newest first", schema: pageSchema(VersionSchema) } },
    handler: async ({ params, query }) => {
      const page = await listVersions(db, { ...params, cursor: query.cursor, limit: query.limit });
      if (!page) throw new NotFoundError("device");
      return { status: 200, body: page };
    },
  });

  /** Reads one snapshot for `reveal`: admins only, and every reveal is audited. */
  const snapshotFor = async (
    params: z.output<typeof SnapshotParams>,
    reveal: boolean,
    ctx: { auth: Parameters<typeof recordAudit>[1] },
  ) => {
    if (reveal && !roleAtLeast(ctx.auth.role, "admin") && !isPlatformAdmin(ctx.auth)) {
      throw new ForbiddenError("revealing secrets requires the admin role");
    }
    const snapshot = await readSnapshot(db, sealer, { ...params, reveal });
    if (!snapshot) throw new NotFoundError("snapshot");
    if (reveal) {
      await recordAudit(db, ctx.auth, {
        tenantId: params.tenantId,
        action: "config_snapshot_secrets_revealed",
        targetType: "config_snapshot",
        targetId: snapshot.snapshotId,
        detail: { deviceId: params.deviceId, seq: snapshot.seq },
      });
    }
    return snapshot;
  };

  api.route({
    method: "get",
    path: "/api/tenants/{tenantId}/devices/{deviceId}/snapshots/{snapshotId}",
    operationId: "getSnapshot",
    summary: "One configuration version with its text",
    description: "Secret values are replaced by a marker unless `reveal=secrets` (admin only, audited).",
    tags: ["history"],
    access: { role: "viewer" },
    params: SnapshotParams,
    query: RevealQuery,
    responses: { 200: { description: "the version and its text", schema: SnapshotSchema } },
    handler: async ({ params, query, auth }) => ({
      status: 200,
      body: await snapshotFor(params, query.reveal === "secrets", { auth }),
    }),
  });

  api.route({
    method: "get",
    path: "/api/tenants/{tenantId}/devices/{deviceId}/snapshots/{snapshotId}/download",
    operationId: "downloadSnapshot",
    summary: "Download a configuration version as a .rsc file",
    description: "`router-{device-name}-{timestamp}.rsc`; redacted unless `reveal=secrets` (admin only, audited).",
    tags: ["history"],
    access: { role: "viewer" },
    params: SnapshotParams,
    query: RevealQuery,
    responses: {
      200: {
        description: "the export text, as an attachment",
        contentType: "text/plain",
        headers: { "content-disposition": "attachment; filename=router-{device-name}-{timestamp}.rsc" },
      },
    },
    handler: async ({ params, query, auth }) => {
      const snapshot = await snapshotFor(params, query.reveal === "secrets", { auth });
      const filename = downloadFileName(snapshot.deviceName, snapshot.collectedAt);
      return {
        status: 200,
        text: snapshot.content,
        contentType: "text/plain; charset=utf-8",
        headers: { "content-disposition": `attachment; filename="${filename}"` },
      };
    },
  });

  api.route({
    method: "get",
    path: "/api/tenants/{tenantId}/devices/{deviceId}/snapshots/{snapshotId}/diff",
    operationId: "diffSnapshotWithPrevious",
    summary: "What a version changed, against the version before it",
    description: "Redacted unified diff, line counts and structured changes; the first version shows everything added.",
    tags: ["history"],
    access: { role: "viewer" },
    params: SnapshotParams,
    responses: { 200: { description: "the diff", schema: DiffSchema } },
    handler: async ({ params }) => ({ status: 200, body: found(await diffWithPrevious(db, sealer, params)) }),
  });

  api.route({
    method: "get",
    path: "/api/tenants/{tenantId}/devices/{deviceId}/diff",
    operationId: "diffSnapshots",
    summary: "Diff between any two versions of a device",
    description: "From `from` to `to`, in that order; redacted.",
    tags: ["history"],
    access: { role: "viewer" },
    params: DeviceParams,
    query: DiffQuery,
    responses: { 200: { description: "the diff", schema: DiffSchema } },
    handler: async ({ params, query }) => {
      const diff = await diffBetween(db, sealer, {
        ...params,
        fromSnapshotId: query.from,
        toSnapshotId: query.to,
      });
      return { status: 200, body: found(diff) };
    },
  });
};

function found(diff: DiffView | null): DiffView {
  if (!diff) throw new NotFoundError("snapshot");
  return diff;
}
