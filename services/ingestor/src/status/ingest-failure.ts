import type { BackupFailedEvent } from "@netledger/contracts";
import type { Database } from "@netledger/db";
import type { Transaction } from "kysely";
import { writeMessageRecords } from "../store/message-records.js";
import { lockDevice, recordFailure } from "./device-status.js";

export type FailureIngestOutcome =
  | { readonly kind: "recorded"; readonly blocked: boolean }
  | { readonly kind: "duplicate" }
  | { readonly kind: "unknown_device" };

/**
 * Everything one backup-failed event changes, in the caller's transaction: device status (and a
 * block for SSH_AUTH_FAILED / SSH_HOSTKEY_MISMATCH), the job outcome, audit rows, the receipt.
 * A message with a receipt changes nothing.
 */
export async function ingestFailure(
  trx: Transaction<Database>,
  event: BackupFailedEvent,
): Promise<FailureIngestOutcome> {
  const device = await lockDevice(trx, event.tenantId, event.deviceId, { source: "events", msgId: event.msgId });
  if (!device) return { kind: "unknown_device" };
  if (device.received) return { kind: "duplicate" };
  const at = new Date(event.occurredAt);
  const { audits, blocked } = await recordFailure(trx, device, {
    at,
    code: event.code,
    message: event.message,
    observedHostKeyFingerprint: event.observedHostKeyFingerprint ?? null,
    observedHostKeyType: event.observedHostKeyType ?? null,
    sourceMsgId: event.msgId,
  });
  await writeMessageRecords(trx, {
    audits,
    job:
      event.jobId === undefined
        ? null
        : {
            job_id: event.jobId,
            tenant_id: event.tenantId,
            device_id: event.deviceId,
            outcome: "failed",
            error_code: event.code,
            snapshot_id: null,
            at,
          },
    receipt: {
      source: "events",
      msgId: event.msgId,
      tenantId: event.tenantId,
      deviceId: event.deviceId,
      ingestedEvent: null,
    },
  });
  return { kind: "recorded", blocked };
}
