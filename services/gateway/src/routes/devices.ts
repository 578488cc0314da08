import { FingerprintSchema } from "@netledger/contracts";
import { z } from "zod";
import { isUniqueViolation } from "../api/db-errors.js";
import { beforeCursor, cursorTimeOf, pageOf, pageSchema, queryCursor } from "../api/pagination.js";
import { DeviceParams, queryLimit, TenantParams } from "../api/validation.js";
import { recordAudit } from "../audit.js";
import {
  CreateDeviceBody,
  DEVICE_COLUMNS,
  DeviceSchema,
  toDeviceView,
  UpdateDeviceBody,
} from "../devices/device-schemas.js";
import { findDevice, insertDevice, sealCredentials, unblockedColumns, updateDevice } from "../devices/device-store.js";
import { ConflictError } from "../errors.js";
import type { RouteRegistrar } from "./index.js";

/** Blocks a credentials change clears: the new login deserves a try. */
const CREDENTIAL_BLOCKS = ["SSH_AUTH_FAILED", "CREDENTIALS_UNREADABLE"];

/** Device CRUD; credentials are write-only, sealed for the collector, never returned. */
export const registerDeviceRoutes: RouteRegistrar = (api, { db, sealer }) => {
  api.route({
    method: "post",
    path: "/api/tenants/{tenantId}/devices",
    operationId: "createDevice",
    summary: "Add a device",
    tags: ["devices"],
    access: { role: "operator" },
    params: TenantParams,
    body: CreateDeviceBody,
    responses: {
      201: { description: "the device (without credentials)", schema: DeviceSchema },
      409: { description: "a device with this name exists in the tenant (CONFLICT)" },
    },
    handler: async ({ params, body, auth }) => {
      const row = await db.transaction().execute(async (trx) => {
        const created = await insertDevice(trx, sealer, params.tenantId, body);
        if (created === undefined) throw new ConflictError("a device with this name exists");
        await recordAudit(trx, auth, {
          tenantId: params.tenantId,
          action: "device.created",
          targetType: "device",
          targetId: created.id,
          detail: { name: created.name, host: created.host, port: created.port, driver: created.driver },
        });
        return created;
      });
      return { status: 201, body: toDeviceView(row) };
    },
  });

  api.route({
    method: "get",
    path: "/api/tenants/{tenantId}/devices",
    operationId: "listDevices",
    summary: "Devices of the tenant, newest first, with their backup status",
    tags: ["devices"],
    access: { role: "viewer" },
    params: TenantParams,
    query: z.strictObject({ limit: queryLimit, cursor: queryCursor.optional() }),
    responses: { 200: { description: "a page of devices", schema: pageSchema(DeviceSchema) } },
    handler: async ({ params, query }) => {
      const { cursor } = query;
      const rows = await db
        .selectFrom("devices")
        .select([...DEVICE_COLUMNS, cursorTimeOf("created_at").as("cursor_at")])
        .where("tenant_id", "=", params.tenantId)
        .$if(cursor !== undefined, (q) => q.where(beforeCursor(cursor!)))
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(query.limit + 1)
        .execute();
      return { status: 200, body: pageOf(rows, query.limit, toDeviceView) };
    },
  });

  api.route({
    method: "get",
    path: "/api/tenants/{tenantId}/devices/{deviceId}",
    operationId: "getDevice",
    summary: "A device with its backup status and host key",
    tags: ["devices"],
    access: { role: "viewer" },
    params: DeviceParams,
    responses: { 200: { description: "the device", schema: DeviceSchema } },
    handler: async ({ params }) => ({
      status: 200,
      body: toDeviceView(await findDevice(db, params.tenantId, params.deviceId)),
    }),
  });

  api.route({
    method: "patch",
    path: "/api/tenants/{tenantId}/devices/{deviceId}",
    operationId: "updateDevice",
    summary: "Change a device (credentials are replaced whole)",
    description: "New credentials clear a block caused by a failed login (SSH_AUTH_FAILED).",
    tags: ["devices"],
    access: { role: "operator" },
    params: DeviceParams,
    body: UpdateDeviceBody,
    responses: {
      200: { description: "the device", schema: DeviceSchema },
      409: { description: "a device with this name exists in the tenant (CONFLICT)" },
    },
    handler: async ({ params, body, auth }) => {
      try {
        const row = await db.transaction().execute(async (trx) => {
          const before = await findDevice(trx, params.tenantId, params.deviceId);
          const unblock = body.credentials !== undefined && CREDENTIAL_BLOCKS.includes(before.blocked_reason ?? "");
          const updated = await updateDevice(trx, params.tenantId, params.deviceId, {
            ...(body.name !== undefined && { name: body.name }),
            ...(body.host !== undefined && { host: body.host }),
            ...(body.port !== undefined && { port: body.port }),
            ...(body.driver !== undefined && { driver: body.driver }),
            ...(body.enabled !== undefined && { enabled: body.enabled }),
            ...(body.backupIntervalSeconds !== undefined && { backup_interval_seconds: body.backupIntervalSeconds }),
            ...(body.credentials !== undefined && {
              credentials_sealed: sealCredentials(sealer, params.tenantId, params.deviceId, body.credentials),
            }),
            ...(unblock && unblockedColumns()),
          });
          await recordAudit(trx, auth, {
            tenantId: params.tenantId,
            action: "device.updated",
            targetType: "device",
            targetId: params.deviceId,
            // Field names only: never the credentials, not even the username.
            detail: { fields: Object.keys(body).sort(), ...(unblock && { unblocked: before.blocked_reason }) },
          });
          return updated;
        });
        return { status: 200, body: toDeviceView(row) };
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError("a device with this name exists");
        throw err;
      }
    },
  });

  api.route({
    method: "delete",
    path: "/api/tenants/{tenantId}/devices/{deviceId}",
    operationId: "deleteDevice",
    summary: "Delete a device and its history",
    tags: ["devices"],
    access: { role: "operator" },
    params: DeviceParams,
    responses: { 204: { description: "deleted" } },
    handler: async ({ params, auth }) => {
      await db.transaction().execute(async (trx) => {
        const device = await findDevice(trx, params.tenantId, params.deviceId);
        await trx
          .deleteFrom("devices")
          .where("tenant_id", "=", params.tenantId)
          .where("id", "=", params.deviceId)
          .execute();
        await recordAudit(trx, auth, {
          tenantId: params.tenantId,
          action: "device.deleted",
          targetType: "device",
          targetId: params.deviceId,
          detail: { name: device.name },
        });
      });
      return { status: 204 };
    },
  });

  api.route({
    method: "post",
    path: "/api/tenants/{tenantId}/devices/{deviceId}/ssh-host-key/accept",
    operationId: "acceptSshHostKey",
    summary: "Accept a changed SSH host key and unblock the device (admin)",
    description:
      "Pins the host key a collector observed (a host key mismatch) and clears the block. Send the fingerprint you reviewed: if the device presented yet another key since, the answer is 409. With no observed key, the given fingerprint is pinned directly.",
    tags: ["devices"],
    access: { role: "admin" },
    params: DeviceParams,
    body: z.strictObject({ fingerprint: FingerprintSchema }),
    responses: {
      200: { description: "the device, unblocked, with the new key pinned", schema: DeviceSchema },
      409: { description: "the observed key is not the one given (CONFLICT)" },
    },
    handler: async ({ params, body, auth }) => {
      const row = await db.transaction().execute(async (trx) => {
        const before = await trx
          .selectFrom("devices")
          .select(["host_key_fingerprint", "observed_host_key_fingerprint", "observed_host_key_type", "blocked_reason"])
          .where("tenant_id", "=", params.tenantId)
          .where("id", "=", params.deviceId)
          .forUpdate()
          .executeTakeFirst();
        if (before === undefined) await findDevice(trx, params.tenantId, params.deviceId);
        const observed = before?.observed_host_key_fingerprint ?? null;
        if (observed !== null && observed !== body.fingerprint) {
          throw new ConflictError("the device presents a different key than the one given; review it again");
        }
        const unblock = before?.blocked_reason === "SSH_HOSTKEY_MISMATCH";
        const updated = await updateDevice(trx, params.tenantId, params.deviceId, {
          host_key_fingerprint: body.fingerprint,
          // The observed key's type when that is the key accepted; else unknown until the next backup.
          host_key_type: observed === body.fingerprint ? (before?.observed_host_key_type ?? null) : null,
          host_key_first_seen_at: new Date(),
          observed_host_key_fingerprint: null,
          observed_host_key_type: null,
          ...(unblock && unblockedColumns()),
        });
        await recordAudit(trx, auth, {
          tenantId: params.tenantId,
          action: "device.host_key_accepted",
          targetType: "device",
          targetId: params.deviceId,
          detail: { previous: before?.host_key_fingerprint ?? null, accepted: body.fingerprint, unblocked: unblock },
        });
        return updated;
      });
      return { status: 200, body: toDeviceView(row) };
    },
  });
};
