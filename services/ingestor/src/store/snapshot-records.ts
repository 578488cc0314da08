import type { ChangeCounts, IngestedEvent, SnapshotEvent } from "@netledger/contracts";
import type { JsonObject, NewJobOutcome, SnapshotRef, VersionDiff } from "@netledger/db";
import type { IngestAudit } from "../audit/audit.js";
import type { SuccessfulBackup } from "../status/device-status.js";
import type { MessageRecords } from "./message-records.js";

/** What one snapshot message records besides the version: pure builders shared by one-by-one and batch ingestion. */
export const NO_CHANGES: ChangeCounts = { added: 0, removed: 0, modified: 0, moved: 0 };

/** The successful backup `event` reports, for the device's status. */
export function successOf(event: SnapshotEvent, status: SuccessfulBackup["status"]): SuccessfulBackup {
  return {
    at: new Date(event.collectedAt),
    status,
    softwareVersion: event.softwareVersion,
    hostKeyFingerprint: event.hostKeyFingerprint,
    hostKeyType: event.hostKeyType ?? null,
    sourceMsgId: event.msgId,
  };
}

/** `config_snapshot_created` (a new version) or `config_snapshot_skipped_duplicate` (the latest seen again). */
export function versionAudit(
  event: SnapshotEvent,
  kind: "stored" | "unchanged",
  snapshot: SnapshotRef,
  confirmsTruncation: boolean,
): IngestAudit {
  const target = { tenantId: event.tenantId, targetType: "snapshot" as const, targetId: snapshot.id };
  return kind === "stored"
    ? {
        ...target,
        action: "config_snapshot_created",
        detail: {
          seq: snapshot.seq,
          sha256: event.sha256,
          bytes: event.bytes,
          ...(confirmsTruncation && { confirmedShortened: true }),
          ...messageDetail(event),
        },
      }
    : {
        ...target,
        action: "config_snapshot_skipped_duplicate",
        detail: { seq: snapshot.seq, sha256: event.sha256, ...messageDetail(event) },
      };
}

/** `config_diff_generated` for the consecutive diff `diffId` (counts only, never text). */
export function diffAudit(
  event: SnapshotEvent,
  diffId: string,
  from: SnapshotRef,
  to: SnapshotRef,
  diff: VersionDiff,
  counts: ChangeCounts,
): IngestAudit {
  return {
    tenantId: event.tenantId,
    action: "config_diff_generated",
    targetType: "diff",
    targetId: diffId,
    detail: {
      fromSeq: from.seq,
      toSeq: to.seq,
      addedLines: diff.added,
      removedLines: diff.removed,
      changes: { ...counts },
    },
  };
}

/** What the ingestor announces for `event`: `snapshot` is the version that now stands. */
export function ingestedEvent(
  event: SnapshotEvent,
  snapshot: SnapshotRef,
  changed: boolean,
  changes: ChangeCounts,
): IngestedEvent {
  return {
    sourceMsgId: event.msgId,
    tenantId: event.tenantId,
    deviceId: event.deviceId,
    trigger: event.trigger,
    ...(event.jobId !== undefined && { jobId: event.jobId }),
    snapshotId: snapshot.id,
    seq: snapshot.seq,
    sha256: snapshot.sha256,
    changed,
    changes,
    ingestedAt: new Date().toISOString(),
  };
}

/** The receipt of `event`, keeping what was announced for it. */
export function receiptOf(event: SnapshotEvent, announced: IngestedEvent | null): MessageRecords["receipt"] {
  return {
    source: "snapshots",
    msgId: event.msgId,
    tenantId: event.tenantId,
    deviceId: event.deviceId,
    ingestedEvent: announced as unknown as JsonObject | null,
  };
}

/** The job outcome row of a message with a `jobId`; null without one. */
export function jobOf(
  event: SnapshotEvent,
  outcome: Pick<NewJobOutcome, "outcome" | "error_code" | "snapshot_id" | "at">,
): NewJobOutcome | null {
  return event.jobId === undefined
    ? null
    : { job_id: event.jobId, tenant_id: event.tenantId, device_id: event.deviceId, ...outcome };
}

/** What audit details say about the message: source msg id, trigger, job id. */
export function messageDetail(event: SnapshotEvent): JsonObject {
  return {
    sourceMsgId: event.msgId,
    trigger: event.trigger,
    ...(event.jobId !== undefined && { jobId: event.jobId }),
  };
}
