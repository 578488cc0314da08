import type { BackupJob, Driver, IngestedEvent, SnapshotEvent } from "@netledger/contracts";
import { type Database, diffConfigTexts, saveSnapshot } from "@netledger/db";
import { deviceSealAad, openSealedText, type Sealer } from "@netledger/platform";
import type { Transaction } from "kysely";
import type { IngestAudit } from "../audit/audit.js";
import { countChanges, storeDiff } from "../diff/store-diff.js";
import { lockDevice, recordFailure, recordSuccess } from "../status/device-status.js";
import { checkAgainstLatest, clearRecheckMarker, type LatestCheck, rereadJob } from "./latest-check.js";
import { writeMessageRecords } from "./message-records.js";
import {
  diffAudit,
  ingestedEvent,
  jobOf,
  messageDetail,
  NO_CHANGES,
  receiptOf,
  successOf,
  versionAudit,
} from "./snapshot-records.js";

/** A snapshot message whose content was opened and whose sha256 was checked. */
export interface OpenedSnapshot {
  readonly event: SnapshotEvent;
  /** The sealed bytes as they came (inline or from the object store): stored as they are. */
  readonly sealed: Uint8Array;
  /** The normalized text, secrets included; never logged, never stored unsealed. */
  readonly text: string;
}

/**
 * A snapshot message that carries no text (`content.kind: "stored"`): its text is that of the
 * device's stored version with the event's sha256, read (inside the transaction) only when the
 * latest version differs from it.
 */
export interface StoredReferenceSnapshot {
  readonly event: SnapshotEvent;
  readonly sealed: null;
  readonly text: null;
}

/** A snapshot message ready to ingest: opened, or a reference to a stored version. */
export type ReceivedSnapshot = OpenedSnapshot | StoredReferenceSnapshot;

export type IngestedSnapshotOutcome =
  /** A new version was stored, or the config equals the latest; announce `event`. */
  | { readonly kind: "stored" | "unchanged"; readonly event: IngestedEvent }
  /**
   * Held back as a suspected truncation: nothing stored; publish `recheck` (if any) before
   * commit, then announce `event` (`changed: false`, the latest version).
   */
  | { readonly kind: "suspected"; readonly event: IngestedEvent; readonly recheck: BackupJob | null }
  /**
   * A reference (`content.kind: "stored"`) to a version that no longer exists: nothing stored,
   * device status untouched, the job failed with `STORED_VERSION_GONE`; publish `reread` (if any)
   * before commit. Nothing is announced.
   */
  | { readonly kind: "reread"; readonly reread: BackupJob | null }
  /** Already ingested by an earlier delivery; announce again what was announced then (if anything). */
  | { readonly kind: "duplicate"; readonly event: IngestedEvent | null }
  /** Collected over a host key other than the pinned one: nothing stored, device blocked. */
  | { readonly kind: "rejected"; readonly blocked: boolean }
  /** The device is not the tenant's: dead-letter the message. */
  | { readonly kind: "unknown_device" };

/** The job an outcome asks to enqueue before commit: a held-back snapshot's re-collection, or a re-read. */
export function followUpJob(outcome: IngestedSnapshotOutcome): BackupJob | null {
  if (outcome.kind === "suspected") return outcome.recheck;
  if (outcome.kind === "reread") return outcome.reread;
  return null;
}

/**
 * Everything one snapshot message changes, in the caller's transaction: the version (or its
 * `last_seen_at`), the consecutive diff and its structured changes, device status and pinned host
 * key, the job outcome, audit rows and the message's receipt. A message with a receipt changes
 * nothing. Run it with `transactionWithRetry`; announce and ack only after commit.
 */
export async function ingestSnapshot(
  trx: Transaction<Database>,
  sealer: Sealer,
  received: ReceivedSnapshot,
): Promise<IngestedSnapshotOutcome> {
  const { event } = received;
  const device = await lockDevice(trx, event.tenantId, event.deviceId, { source: "snapshots", msgId: event.msgId });
  if (!device) return { kind: "unknown_device" };
  if (device.received) return { kind: "duplicate", event: device.receipt_event as IngestedEvent | null };

  const at = new Date(event.collectedAt);

  if (device.host_key_fingerprint !== null && device.host_key_fingerprint !== event.hostKeyFingerprint) {
    const { audits, blocked } = await recordFailure(trx, device, {
      at,
      code: "SSH_HOSTKEY_MISMATCH",
      message: "snapshot collected over a host key other than the pinned one; not stored",
      observedHostKeyFingerprint: event.hostKeyFingerprint,
      observedHostKeyType: event.hostKeyType ?? null,
      sourceMsgId: event.msgId,
    });
    await writeMessageRecords(trx, {
      audits,
      job: jobOf(event, { outcome: "failed", error_code: "SSH_HOSTKEY_MISMATCH", snapshot_id: null, at }),
      receipt: receiptOf(event, null),
    });
    return { kind: "rejected", blocked };
  }

  const snapshot = received.text === null ? await openStoredVersion(trx, sealer, event) : received;
  if (snapshot === null) return rereadGone(trx, event);

  const check = await checkAgainstLatest(trx, sealer, event, snapshot.text, new Date());
  if (check.kind === "suspected") return holdBack(trx, event, check);
  const saved = await saveSnapshot(trx, {
    tenant_id: event.tenantId,
    device_id: event.deviceId,
    // The same config under older normalization rules is a sighting of the latest, kept as stored.
    sha256: check.kind === "same_config" ? check.latest.sha256 : event.sha256,
    size_bytes: event.bytes,
    content_sealed: snapshot.sealed,
    collected_at: at,
    normalization_version: event.normalizationVersion,
    software_version: event.softwareVersion,
    source_msg_id: event.msgId,
  });
  // A version stored by this msg id before receipts existed: nothing to redo, nothing to announce.
  if (saved.kind === "duplicate") return { kind: "duplicate", event: null };
  if (check.marker) await clearRecheckMarker(trx, event.deviceId);

  const audits: [IngestAudit, ...IngestAudit[]] = [
    versionAudit(event, saved.kind, saved.snapshot, check.kind === "new" && check.confirmsTruncation),
  ];
  let counts = NO_CHANGES;
  if (saved.kind === "stored" && saved.previous && check.kind === "new") {
    const diff = diffConfigTexts(event.driver as Driver, check.previousText, snapshot.text, {
      before: check.latest.normalizationVersion,
      after: event.normalizationVersion,
    });
    const diffId = await storeDiff(trx, sealer, {
      tenantId: event.tenantId,
      deviceId: event.deviceId,
      fromSnapshotId: saved.previous.id,
      toSnapshotId: saved.snapshot.id,
      diff,
    });
    counts = countChanges(diff.changes);
    audits.push(diffAudit(event, diffId, saved.previous, saved.snapshot, diff, counts));
  }

  audits.push(
    ...(await recordSuccess(trx, device, successOf(event, saved.kind === "stored" ? "success" : "unchanged"))),
  );

  const ingested = ingestedEvent(event, saved.snapshot, saved.kind === "stored", counts);
  await writeMessageRecords(trx, {
    audits,
    job: jobOf(event, { outcome: saved.kind, error_code: null, snapshot_id: saved.snapshot.id, at }),
    receipt: receiptOf(event, ingested),
  });
  return { kind: saved.kind, event: ingested };
}

/**
 * A snapshot that looks like the latest version with its tail cut off: nothing stored, device
 * status untouched (the re-collection will record it), the job failed with `EXPORT_TRUNCATED`,
 * audited, and announced as `changed: false` with the latest version, which still stands.
 */
async function holdBack(
  trx: Transaction<Database>,
  event: SnapshotEvent,
  check: Extract<LatestCheck, { kind: "suspected" }>,
): Promise<IngestedSnapshotOutcome> {
  const { latest } = check;
  const ingested: IngestedEvent = { ...ingestedEvent(event, latest, false, NO_CHANGES), heldBack: true };
  await writeMessageRecords(trx, {
    audits: [
      {
        tenantId: event.tenantId,
        action: "config_snapshot_suspected_truncated",
        targetType: "device",
        targetId: event.deviceId,
        detail: {
          latestSeq: latest.seq,
          latestBytes: latest.sizeBytes,
          sha256: event.sha256,
          bytes: event.bytes,
          attempt: check.attempt,
          recheckJobId: check.recheck?.jobId ?? null,
          ...messageDetail(event),
        },
      },
    ],
    job: jobOf(event, {
      outcome: "failed",
      error_code: "EXPORT_TRUNCATED",
      snapshot_id: null,
      at: new Date(event.collectedAt),
    }),
    receipt: receiptOf(event, ingested),
  });
  return { kind: "suspected", event: ingested, recheck: check.recheck };
}

/**
 * The text a `stored` reference names: the device's stored version with the event's sha256 (its
 * sealed bytes are kept as they are, like a message's). Null when no such version exists.
 */
async function openStoredVersion(
  trx: Transaction<Database>,
  sealer: Sealer,
  event: SnapshotEvent,
): Promise<OpenedSnapshot | null> {
  const row = await trx
    .selectFrom("config_snapshots")
    .select("content_sealed")
    .where("device_id", "=", event.deviceId)
    .where("tenant_id", "=", event.tenantId)
    .where("sha256", "=", event.sha256)
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  const text = openSealedText(sealer, deviceSealAad(event.tenantId, event.deviceId), row.content_sealed);
  return { event, sealed: row.content_sealed, text };
}

/**
 * A reference to a version that is gone (retention removed it after the job named it): the text
 * was never sent, so the device is read again (`reread`, as the scheduler builds its jobs), the
 * job failed with `STORED_VERSION_GONE`, audited; the device status waits for the re-read.
 */
async function rereadGone(trx: Transaction<Database>, event: SnapshotEvent): Promise<IngestedSnapshotOutcome> {
  const reread = await rereadJob(trx, event, new Date());
  await writeMessageRecords(trx, {
    audits: [
      {
        tenantId: event.tenantId,
        action: "config_snapshot_reference_gone",
        targetType: "device",
        targetId: event.deviceId,
        detail: { sha256: event.sha256, rereadJobId: reread?.jobId ?? null, ...messageDetail(event) },
      },
    ],
    job: jobOf(event, {
      outcome: "failed",
      error_code: "STORED_VERSION_GONE",
      snapshot_id: null,
      at: new Date(event.collectedAt),
    }),
    receipt: receiptOf(event, null),
  });
  return { kind: "reread", reread };
}
