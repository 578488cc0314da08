import type { BackupFailedEvent } from "@netledger/contracts";
import type { Database } from "@netledger/db";
import type { Transaction } from "kysely";
import { insertAudit } from "../audit/audit.js";
import { findReceipt, insertReceipt } from "../store/receipts.js";
import { lockDevice, recordFailure } from "./device-status.js";
import { recordJobOutcome } from "./job-outcomes.js";

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
  const device = await lockDevice(trx, event.tenantId, event.deviceId);
  if (!device) return { kind: "unknown_device" };
  if (await findReceipt(trx, "events", event.msgId)) return { kind: "duplicate" };
  const at = new Date(event.occurredAt);
  const { audits, blocked } = await recordFailure(trx, device, {
    at,
    code: event.code,
    message: event.message,
    observedHostKeyFingerprint: event.observedHostKeyFingerprint ?? null,
    sourceMsgId: event.msgId,
  });
  if (event.jobId !== undefined) {
    await recordJobOutcome(trx, {
      job_id: event.jobId,
      tenant_id: event.tenantId,
      device_id: event.deviceId,
      outcome: "failed",
      error_code: event.code,
      snapshot_id: null,
      at,
    });
  }
  await insertAudit(trx, audits);
  await insertReceipt(trx, {
    source: "events",
    msgId: event.msgId,
    tenantId: event.tenantId,
    deviceId: event.deviceId,
    ingestedEvent: null,
  });
  return { kind: "recorded", blocked };
}
