import type { ErrorCode } from "@netledger/contracts";
import type { Database, DeviceUpdate, IngestSource, JsonObject } from "@netledger/db";
import type { Transaction } from "kysely";
import type { IngestAudit } from "../audit/audit.js";

/** Codes that stop a device's backups until an operator acts (new credentials, accepted host key). */
export const BLOCKING_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(["SSH_AUTH_FAILED", "SSH_HOSTKEY_MISMATCH"]);

/** The device row as the ingestor needs it, locked for the rest of the transaction. */
export interface DeviceState {
  readonly id: string;
  readonly tenant_id: string;
  readonly driver: string;
  readonly host_key_fingerprint: string | null;
  readonly host_key_type: string | null;
  readonly last_backup_at: Date | null;
  readonly last_success_at: Date | null;
  readonly blocked_reason: string | null;
}

/** The columns of {@link DeviceState}. */
export const DEVICE_STATE_COLUMNS = [
  "id",
  "tenant_id",
  "driver",
  "host_key_fingerprint",
  "host_key_type",
  "last_backup_at",
  "last_success_at",
  "blocked_reason",
] as const;

/** {@link DeviceState} locked together with the receipt check of the message being ingested. */
export interface LockedDevice extends DeviceState {
  /** Whether the message being ingested has a receipt already (an earlier delivery committed). */
  readonly received: boolean;
  /** What that earlier delivery announced (snapshots), when it has a receipt. */
  readonly receipt_event: JsonObject | null;
}

/**
 * Locks the device row (`FOR UPDATE`): every ingest of one device queues behind this lock, so its
 * status, pinned key, versions and receipts are decided on committed values. Reads in the same
 * statement whether `message` has a receipt. Undefined when the device is not the tenant's.
 */
export function lockDevice(
  trx: Transaction<Database>,
  tenantId: string,
  deviceId: string,
  message: { source: IngestSource; msgId: string },
): Promise<LockedDevice | undefined> {
  const receipt = (trx: Transaction<Database>) =>
    trx.selectFrom("ingest_receipts").where("source", "=", message.source).where("msg_id", "=", message.msgId);
  return trx
    .selectFrom("devices")
    .select((eb) => [
      ...DEVICE_STATE_COLUMNS,
      eb.exists(receipt(trx).select("msg_id")).as("received"),
      receipt(trx).select("ingested_event").as("receipt_event"),
    ])
    .where("id", "=", deviceId)
    .where("tenant_id", "=", tenantId)
    .forUpdate("devices")
    .executeTakeFirst() as Promise<LockedDevice | undefined>;
}

/** Whether an attempt at `at` is at least as recent as the device's last recorded attempt. */
function isLatestAttempt(device: DeviceState, at: Date): boolean {
  return device.last_backup_at === null || device.last_backup_at.getTime() <= at.getTime();
}

export interface SuccessfulBackup {
  readonly at: Date;
  readonly status: "success" | "unchanged";
  readonly softwareVersion: string | null;
  readonly hostKeyFingerprint: string;
  /** Type of that key, when the collector reported it. */
  readonly hostKeyType: string | null;
  readonly sourceMsgId: string;
}

/**
 * Records a successful backup: last attempt and success times, status, failures reset (unless a
 * later attempt is already recorded: messages may arrive out of order), and trust on first use:
 * the first fingerprint seen is pinned (first write wins). Returns the audit rows to write.
 */
export async function recordSuccess(
  trx: Transaction<Database>,
  device: LockedDevice,
  backup: SuccessfulBackup,
): Promise<IngestAudit[]> {
  const { update, audits } = successUpdate(device, backup);
  await trx.updateTable("devices").set(update).where("id", "=", device.id).execute();
  return audits;
}

/** What {@link recordSuccess} writes to the device row, and its audit rows (pure). */
export function successUpdate(
  device: DeviceState,
  backup: SuccessfulBackup,
): { update: DeviceUpdate & { updated_at: Date }; audits: IngestAudit[] } {
  const audits: IngestAudit[] = [];
  const update: DeviceUpdate & { updated_at: Date } = { updated_at: new Date() };
  if (isLatestAttempt(device, backup.at)) {
    Object.assign(update, {
      last_backup_at: backup.at,
      last_backup_status: backup.status,
      last_error_code: null,
      consecutive_failures: 0,
      ...(backup.softwareVersion === null ? {} : { software_version: backup.softwareVersion }),
    } satisfies DeviceUpdate);
  }
  if (device.last_success_at === null || device.last_success_at.getTime() < backup.at.getTime()) {
    update.last_success_at = backup.at;
  }
  if (device.host_key_fingerprint === null) {
    update.host_key_fingerprint = backup.hostKeyFingerprint;
    update.host_key_type = backup.hostKeyType;
    update.host_key_first_seen_at = backup.at;
    audits.push({
      tenantId: device.tenant_id,
      action: "device_host_key_pinned",
      targetType: "device",
      targetId: device.id,
      detail: { fingerprint: backup.hostKeyFingerprint, sourceMsgId: backup.sourceMsgId },
    });
  } else if (device.host_key_type === null && backup.hostKeyType !== null) {
    // Same pinned key, type not known yet (pinned before collectors reported it): learn it.
    update.host_key_type = backup.hostKeyType;
  }
  return { update, audits };
}

export interface FailedBackup {
  readonly at: Date;
  readonly code: ErrorCode;
  /** Safe for users (collector contract): no credentials, no config text. */
  readonly message: string;
  readonly observedHostKeyFingerprint: string | null;
  readonly observedHostKeyType: string | null;
  readonly sourceMsgId: string;
}

/**
 * Records a failed attempt (status, code, one more consecutive failure) unless a later attempt is
 * already recorded, and blocks the device on {@link BLOCKING_CODES} unless it is blocked already
 * or a later success proves the condition gone. Returns the audit rows and whether it blocked.
 */
export async function recordFailure(
  trx: Transaction<Database>,
  device: LockedDevice,
  failure: FailedBackup,
): Promise<{ audits: [IngestAudit, ...IngestAudit[]]; blocked: boolean }> {
  const audits: [IngestAudit, ...IngestAudit[]] = [
    {
      tenantId: device.tenant_id,
      action: "config_backup_failed",
      targetType: "device",
      targetId: device.id,
      detail: { code: failure.code, message: failure.message, sourceMsgId: failure.sourceMsgId },
    },
  ];
  const update: DeviceUpdate = { updated_at: new Date() };
  if (isLatestAttempt(device, failure.at)) {
    Object.assign(update, {
      last_backup_at: failure.at,
      last_backup_status: "failed",
      last_error_code: failure.code,
    } satisfies DeviceUpdate);
  }
  const block = blockUpdate(device, failure);
  if (block) {
    Object.assign(update, block.update);
    audits.push(block.audit);
  }
  let query = trx.updateTable("devices").set(update);
  if (update.last_error_code !== undefined) {
    query = query.set((eb) => ({ consecutive_failures: eb("consecutive_failures", "+", 1) }));
  }
  await query.where("id", "=", device.id).execute();
  return { audits, blocked: block !== null };
}

function blockUpdate(device: LockedDevice, failure: FailedBackup): { update: DeviceUpdate; audit: IngestAudit } | null {
  if (!BLOCKING_CODES.has(failure.code) || device.blocked_reason !== null) return null;
  if (device.last_success_at !== null && device.last_success_at.getTime() > failure.at.getTime()) return null;
  const observed = failure.code === "SSH_HOSTKEY_MISMATCH" ? failure.observedHostKeyFingerprint : null;
  return {
    update: {
      blocked_reason: failure.code,
      blocked_at: new Date(),
      observed_host_key_fingerprint: observed,
      observed_host_key_type: observed === null ? null : failure.observedHostKeyType,
    },
    audit: {
      tenantId: device.tenant_id,
      action: "device_blocked",
      targetType: "device",
      targetId: device.id,
      detail: {
        reason: failure.code,
        sourceMsgId: failure.sourceMsgId,
        ...(observed
          ? { observedHostKeyFingerprint: observed, pinnedHostKeyFingerprint: device.host_key_fingerprint }
          : {}),
      },
    },
  };
}
