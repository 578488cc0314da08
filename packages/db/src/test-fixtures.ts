import { createHash, randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database, Device, NewSnapshotVersion } from "./index.js";

/** Shared set-up of the db package's tests (not exported from the package). */

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A device named `edge-1`, of a new tenant unless `tenantId` is given. */
export async function insertTenantDevice(db: Kysely<Database>, tenantId?: string): Promise<Device> {
  const tenant_id =
    tenantId ??
    (
      await db
        .insertInto("tenants")
        .values({ name: `tenant-${randomUUID()}` })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  return db
    .insertInto("devices")
    .values({
      tenant_id,
      name: "edge-1",
      host: "192.0.2.1",
      port: 22,
      driver: "routeros",
      credentials_sealed: "v1:k:sealed",
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A snapshot of `config` for `device`, from a message with a fresh msg-id unless given. */
export function snapshotOf(device: Device, config: string, sourceMsgId: string = randomUUID()): NewSnapshotVersion {
  return {
    tenant_id: device.tenant_id,
    device_id: device.id,
    sha256: sha256Hex(config),
    size_bytes: Buffer.byteLength(config),
    content_sealed: Buffer.from(config),
    collected_at: new Date(),
    normalization_version: 1,
    software_version: "7.15",
    source_msg_id: sourceMsgId,
  };
}

/** Rows of the device's snapshots, oldest first. */
export function snapshotRows(db: Kysely<Database>, deviceId: string) {
  return db
    .selectFrom("config_snapshots")
    .select(["id", "seq", "sha256", "source_msg_id"])
    .where("device_id", "=", deviceId)
    .orderBy("seq")
    .execute();
}
