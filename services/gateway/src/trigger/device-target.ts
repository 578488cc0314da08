import type { DeviceTarget } from "@netledger/contracts";
import { type Database, type Device, type DeviceTargetRow, deviceTargetOf } from "@netledger/db";
import type { Kysely } from "kysely";

/** A device as a backup request needs it, read from PostgreSQL within one tenant. */
export interface BackupTarget {
  readonly tenantId: string;
  readonly deviceId: string;
  /** What travels to the collector; null when the stored driver id is not one this build knows. */
  readonly device: DeviceTarget | null;
  /** sha256 of the device's latest stored version, to tell "changed" when the ingest event is late. */
  readonly latestSha256: string | null;
}

type TargetRow = Pick<Device, "id" | "tenant_id"> & DeviceTargetRow & { latest_sha256: string | null };

/** Query of devices with their latest version's sha256 and size (kept as a builder so callers add filters). */
export function selectBackupTargets(db: Kysely<Database>, tenantId: string) {
  return db
    .selectFrom("devices as d")
    .leftJoin("device_latest_snapshot as h", "h.device_id", "d.id")
    .leftJoin("config_snapshots as s", (join) =>
      join.onRef("s.device_id", "=", "h.device_id").onRef("s.seq", "=", "h.seq"),
    )
    .where("d.tenant_id", "=", tenantId)
    .select([
      "d.id",
      "d.tenant_id",
      "d.name",
      "d.host",
      "d.port",
      "d.driver",
      "d.credentials_sealed",
      "d.host_key_fingerprint",
      "d.host_key_type",
      "d.software_version",
      "s.sha256 as latest_sha256",
      "s.size_bytes as last_snapshot_bytes",
      "s.sha256 as last_snapshot_sha256",
    ]);
}

/** The device `deviceId` of `tenantId`, or null when there is none (another tenant's id included). */
export async function loadBackupTarget(
  db: Kysely<Database>,
  tenantId: string,
  deviceId: string,
): Promise<BackupTarget | null> {
  const row = await selectBackupTargets(db, tenantId).where("d.id", "=", deviceId).executeTakeFirst();
  return row ? backupTargetOf(row) : null;
}

export function backupTargetOf(row: TargetRow): BackupTarget {
  return {
    tenantId: row.tenant_id,
    deviceId: row.id,
    latestSha256: row.latest_sha256,
    device: deviceTargetOf(row),
  };
}
