import { DeviceCredentialsSchema, DRIVERS, FingerprintSchema } from "@netledger/contracts";
import type { Device } from "@netledger/db";
import { z } from "zod";
import { iso } from "../api/validation.js";

/**
 * Zod schemas of devices in the REST API. Credentials are accepted (write-only) and never part
 * of a response: `DeviceSchema` has no field that could carry them.
 */

const Timestamp = z.iso.datetime({ offset: true });

export const DeviceName = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._@()-]*$/u, { message: "letters, digits, space and . _ @ ( ) -" });
/** A DNS name or an IPv4/IPv6 address, nothing else (no URL, no user@host). */
export const DeviceHost = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:_%[\]-]+$/, { message: "a host name or IP address" });
export const DevicePort = z.number().int().min(1).max(65535);
export const DeviceDriver = z.enum(DRIVERS);

/** Password or private key login; write-only. */
export const DeviceCredentialsInput = DeviceCredentialsSchema;

export const CreateDeviceBody = z.strictObject({
  name: DeviceName,
  host: DeviceHost,
  port: DevicePort.default(22),
  driver: DeviceDriver.default("routeros"),
  credentials: DeviceCredentialsInput,
  enabled: z.boolean().default(true),
  backupIntervalSeconds: z
    .number()
    .int()
    .min(60)
    .max(31 * 86_400)
    .nullable()
    .default(null),
  /** Pin the host key up front (from known_hosts); otherwise the first backup pins it. */
  hostKeyFingerprint: FingerprintSchema.nullable().default(null),
});
export type CreateDeviceInput = z.output<typeof CreateDeviceBody>;

export const UpdateDeviceBody = z
  .strictObject({
    name: DeviceName,
    host: DeviceHost,
    port: DevicePort,
    driver: DeviceDriver,
    credentials: DeviceCredentialsInput,
    enabled: z.boolean(),
    backupIntervalSeconds: z
      .number()
      .int()
      .min(60)
      .max(31 * 86_400)
      .nullable(),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, { message: "set at least one field" });

export const BackupStatusSchema = z.object({
  /** Time of the last attempt, success or failure. */
  lastAttemptAt: Timestamp.nullable(),
  lastStatus: z.enum(["success", "unchanged", "failed"]).nullable(),
  lastSuccessAt: Timestamp.nullable(),
  /** Stable error code of the last attempt when it failed. */
  lastErrorCode: z.string().nullable(),
  consecutiveFailures: z.number().int(),
  /** Why backups are stopped until someone acts (`SSH_HOSTKEY_MISMATCH`, `SSH_AUTH_FAILED`), else null. */
  blockedReason: z.string().nullable(),
  blockedAt: Timestamp.nullable(),
  nextDueAt: Timestamp.nullable(),
});

export const HostKeySchema = z.object({
  /** The pinned `SHA256:...` fingerprint; null until the first backup pins it. */
  fingerprint: z.string().nullable(),
  /** SSH key type of the pinned key (`ssh-ed25519`, `ssh-rsa`, ...), when known. */
  type: z.string().nullable(),
  firstSeenAt: Timestamp.nullable(),
  /** A different key a collector saw (host key mismatch), waiting for an admin to accept it. */
  observedFingerprint: z.string().nullable(),
  observedType: z.string().nullable(),
});

export const DeviceSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  host: z.string(),
  port: z.number().int(),
  driver: z.string(),
  enabled: z.boolean(),
  backupIntervalSeconds: z.number().int().nullable(),
  softwareVersion: z.string().nullable(),
  hostKey: HostKeySchema,
  backup: BackupStatusSchema,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type DeviceView = z.output<typeof DeviceSchema>;

/** The device columns a response needs (never `credentials_sealed`). */
export const DEVICE_COLUMNS = [
  "id",
  "name",
  "host",
  "port",
  "driver",
  "enabled",
  "backup_interval_seconds",
  "software_version",
  "host_key_fingerprint",
  "host_key_type",
  "host_key_first_seen_at",
  "observed_host_key_fingerprint",
  "observed_host_key_type",
  "last_backup_at",
  "last_backup_status",
  "last_success_at",
  "last_error_code",
  "consecutive_failures",
  "blocked_reason",
  "blocked_at",
  "next_due_at",
  "created_at",
  "updated_at",
] as const satisfies readonly (keyof Device)[];
export type DeviceRow = Pick<Device, (typeof DEVICE_COLUMNS)[number]>;

export function toDeviceView(row: DeviceRow): DeviceView {
  return {
    id: row.id,
    name: row.name,
    host: row.host,
    port: row.port,
    driver: row.driver,
    enabled: row.enabled,
    backupIntervalSeconds: row.backup_interval_seconds,
    softwareVersion: row.software_version,
    hostKey: {
      fingerprint: row.host_key_fingerprint,
      type: row.host_key_type,
      firstSeenAt: iso(row.host_key_first_seen_at),
      observedFingerprint: row.observed_host_key_fingerprint,
      observedType: row.observed_host_key_type,
    },
    backup: {
      lastAttemptAt: iso(row.last_backup_at),
      lastStatus: row.last_backup_status,
      lastSuccessAt: iso(row.last_success_at),
      lastErrorCode: row.last_error_code,
      consecutiveFailures: row.consecutive_failures,
      blockedReason: row.blocked_reason,
      blockedAt: iso(row.blocked_at),
      nextDueAt: iso(row.next_due_at),
    },
    createdAt: iso(row.created_at) as string,
    updatedAt: iso(row.updated_at) as string,
  };
}
