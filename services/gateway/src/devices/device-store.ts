import { randomUUID } from "node:crypto";
import { type DeviceCredentials, DeviceCredentialsCodec } from "@netledger/contracts";
import type { Database, DeviceUpdate } from "@netledger/db";
import { deviceSealAad, type Sealer } from "@netledger/platform";
import type { Kysely } from "kysely";
import { NotFoundError } from "../errors.js";
import { type CreateDeviceInput, DEVICE_COLUMNS, type DeviceRow } from "./device-schemas.js";

/**
 * Device persistence shared by the device routes and the bulk import. Every query names the
 * tenant: a device of another tenant is "not found".
 */

/** Seals credentials the way the collector opens them: JSON of DeviceCredentials, AAD `deviceSealAad`. */
export function sealCredentials(
  sealer: Sealer,
  tenantId: string,
  deviceId: string,
  credentials: DeviceCredentials,
): string {
  return sealer.sealString(
    JSON.stringify(DeviceCredentialsCodec.parse(credentials)),
    deviceSealAad(tenantId, deviceId),
  );
}

/** The device, or NotFoundError when it does not exist in this tenant. */
export async function findDevice(db: Kysely<Database>, tenantId: string, deviceId: string): Promise<DeviceRow> {
  const row = await db
    .selectFrom("devices")
    .select(DEVICE_COLUMNS)
    .where("tenant_id", "=", tenantId)
    .where("id", "=", deviceId)
    .executeTakeFirst();
  if (row === undefined) throw new NotFoundError("device");
  return row;
}

/**
 * Inserts a device unless its name is taken in the tenant (then undefined: no exception, so a
 * surrounding transaction stays usable for the next rows of an import).
 */
export async function insertDevice(
  db: Kysely<Database>,
  sealer: Sealer,
  tenantId: string,
  input: CreateDeviceInput,
): Promise<DeviceRow | undefined> {
  const id = randomUUID();
  return db
    .insertInto("devices")
    .values({
      id,
      tenant_id: tenantId,
      name: input.name,
      host: input.host,
      port: input.port,
      driver: input.driver,
      credentials_sealed: sealCredentials(sealer, tenantId, id, input.credentials),
      enabled: input.enabled,
      backup_interval_seconds: input.backupIntervalSeconds,
      host_key_fingerprint: input.hostKeyFingerprint,
      host_key_first_seen_at: input.hostKeyFingerprint === null ? null : new Date(),
    })
    .onConflict((oc) => oc.columns(["tenant_id", "name"]).doNothing())
    .returning(DEVICE_COLUMNS)
    .executeTakeFirst();
}

/** Columns that lift a block and make the device due now. */
export function unblockedColumns() {
  return { blocked_reason: null, blocked_at: null, consecutive_failures: 0, next_due_at: new Date() } as const;
}

/** Updates the tenant's device (always moving `updated_at`) and returns it. */
export async function updateDevice(
  db: Kysely<Database>,
  tenantId: string,
  deviceId: string,
  changes: DeviceUpdate,
): Promise<DeviceRow> {
  const row = await db
    .updateTable("devices")
    .set({ ...changes, updated_at: new Date() })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", deviceId)
    .returning(DEVICE_COLUMNS)
    .executeTakeFirst();
  if (row === undefined) throw new NotFoundError("device");
  return row;
}
