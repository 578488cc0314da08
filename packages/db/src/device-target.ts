import { type DeviceTarget, DriverSchema } from "@netledger/contracts";
import type { Device } from "./schema.js";

/** The device columns (and latest version's size and sha256) a backup request carries to a collector. */
export type DeviceTargetRow = Pick<
  Device,
  | "name"
  | "host"
  | "port"
  | "driver"
  | "credentials_sealed"
  | "host_key_fingerprint"
  | "host_key_type"
  | "software_version"
> & {
  /** `size_bytes` of the device's latest stored version; null when it has none. */
  readonly last_snapshot_bytes: number | null;
  /** `sha256` of the device's latest stored version; null when it has none. */
  readonly last_snapshot_sha256: string | null;
};

/**
 * What travels to a collector in a trigger request or a scheduled job (collectors have no
 * database). The one mapping from a device row, used by the gateway and the scheduler. Null when
 * the stored driver id is not one this build knows (no collector could back it up).
 */
export function deviceTargetOf(row: DeviceTargetRow): DeviceTarget | null {
  const driver = DriverSchema.safeParse(row.driver);
  if (!driver.success) return null;
  return {
    name: row.name,
    host: row.host,
    port: row.port,
    driver: driver.data,
    credentials: row.credentials_sealed,
    hostKeyFingerprint: row.host_key_fingerprint,
    hostKeyType: row.host_key_type,
    softwareVersion: row.software_version,
    lastSnapshotBytes: row.last_snapshot_bytes,
    lastSnapshotSha256: row.last_snapshot_sha256,
  };
}
