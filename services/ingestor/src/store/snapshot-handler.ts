import type { JsMsg } from "@nats-io/jetstream";
import {
  type BackupJob,
  BackupJobCodec,
  type IngestedEvent,
  IngestedEventCodec,
  InvalidMessageError,
  type SnapshotEvent,
  SnapshotEventCodec,
} from "@netledger/contracts";
import { transactionWithRetry } from "@netledger/db";
import { sha256Hex } from "@netledger/drivers";
import {
  deviceSealAad,
  openSealedText,
  readSealedSnapshotContent,
  SealError,
  SnapshotContentError,
} from "@netledger/platform";
import type { IngestContext } from "../consumer/context.js";
import { isDatabaseUnavailable } from "../consumer/database-gate.js";
import { deadLetter } from "../consumer/dead-letter.js";
import { nakLater } from "../consumer/settle.js";
import { followUpJob, type IngestedSnapshotOutcome, ingestSnapshot, type ReceivedSnapshot } from "./ingest-snapshot.js";
import { findReceipt } from "./receipts.js";

export const CONSUMER = "snapshots";

/**
 * Handles one delivery of the `ingestorSnapshots` consumer and settles it:
 * decode → open content → check sha256 → one transaction (ingestSnapshot; a message with a
 * receipt changes nothing and announces again what it announced; a snapshot held back as a
 * suspected truncation publishes its re-collection job before commit, a `stored` reference to a
 * version that is gone its re-read) → announce the IngestedEvent → delete the object-store blob → ack.
 * Bad input (schema, subject, sha256, content, unknown device) is dead-lettered; a database or
 * NATS outage naks with back-off. Never throws.
 */
export async function handleSnapshotMessage(ctx: IngestContext, msg: JsMsg): Promise<void> {
  const decoded = decodeSnapshotMessage(ctx, msg);
  if ("deadLettered" in decoded) return decoded.deadLettered;
  const { event } = decoded;
  try {
    const receipt = await findReceipt(ctx.db, CONSUMER, event.msgId);
    if (receipt)
      return await finish(ctx, msg, event, { kind: "duplicate", event: receiptEvent(receipt.ingestedEvent) });

    let opened: ReceivedSnapshot;
    try {
      opened = await openSnapshot(ctx, event);
    } catch (err) {
      if (err instanceof SnapshotContentError && err.code === "SNAPSHOT_BLOB_MISSING") {
        // A concurrent delivery may have stored it and deleted the blob meanwhile.
        const late = await findReceipt(ctx.db, CONSUMER, event.msgId);
        if (late) return await finish(ctx, msg, event, { kind: "duplicate", event: receiptEvent(late.ingestedEvent) });
      }
      // A key missing from our ring is our configuration, not bad input: keep the message until it is fixed.
      const ours = err instanceof SealError && err.code === "SEAL_UNKNOWN_KEY";
      if ((err instanceof SealError && !ours) || err instanceof SnapshotContentError) {
        return deadLetter(ctx, msg, CONSUMER, "content", err.code);
      }
      throw err;
    }
    if (opened.text !== null && sha256Hex(opened.text) !== event.sha256) {
      return deadLetter(ctx, msg, CONSUMER, "sha256", "sha256 of the opened content differs from the event's");
    }

    const stopTimer = ctx.metrics.transactionSeconds.startTimer({ consumer: CONSUMER });
    const outcome = await transactionWithRetry(ctx.db, async (trx) => {
      const result = await ingestSnapshot(trx, ctx.sealer, opened);
      // Before commit, as the scheduler enqueues: a retry or redelivery publishes the same msg id.
      const job = followUpJob(result);
      if (job) await publishRecheck(ctx, job);
      return result;
    });
    stopTimer();
    if (outcome.kind === "unknown_device") {
      return deadLetter(ctx, msg, CONSUMER, "unknown_device", "no such device for this tenant");
    }
    await finish(ctx, msg, event, outcome);
  } catch (err) {
    retryLater(ctx, msg, err);
  }
}

/**
 * Decodes a snapshot message and checks that its subject names its tenant and device; a message
 * failing either is dead-lettered (`deadLettered` settles when it is).
 */
export function decodeSnapshotMessage(
  ctx: IngestContext,
  msg: JsMsg,
): { readonly event: SnapshotEvent } | { readonly deadLettered: Promise<void> } {
  let event: SnapshotEvent;
  try {
    event = SnapshotEventCodec.decode(msg.data);
  } catch (err) {
    const detail = err instanceof InvalidMessageError ? err.issues.join("; ") : "undecodable";
    return { deadLettered: deadLetter(ctx, msg, CONSUMER, "schema", detail) };
  }
  if (msg.subject !== ctx.wire.subjects.snapshot(event.tenantId, event.deviceId)) {
    return { deadLettered: deadLetter(ctx, msg, CONSUMER, "subject", "tenant or device differs from the subject") };
  }
  return { event };
}

/** A message that could not be ingested yet (outage, unexpected error): nak with back-off. */
export function retryLater(ctx: IngestContext, msg: JsMsg, err: unknown): void {
  if (isDatabaseUnavailable(err)) ctx.gate.close();
  ctx.logger.error({ err, streamSequence: msg.info.streamSequence }, "snapshot not ingested yet; nak");
  nakLater(ctx, msg, CONSUMER);
}

/** Enqueues the re-collection of a held-back snapshot (or a re-read); its msg id is its job id (enqueued once). */
export async function publishRecheck(ctx: IngestContext, job: BackupJob): Promise<void> {
  await ctx.js.publish(ctx.wire.subjects.backupJobs, BackupJobCodec.encode(job), {
    msgID: job.jobId,
    timeout: ctx.publishTimeoutMs,
  });
}

/** Reads the sealed content (inline or object store) and opens it; a `stored` reference carries none. */
export async function openSnapshot(ctx: IngestContext, event: SnapshotEvent): Promise<ReceivedSnapshot> {
  if (event.content.kind === "stored") return { event, sealed: null, text: null };
  const sealed = await readSealedSnapshotContent(event.content, ctx.blobs);
  const text = openSealedText(ctx.sealer, deviceSealAad(event.tenantId, event.deviceId), sealed);
  return { event, sealed, text };
}

/** After commit (or on a redelivery of a committed message): announce, drop the blob, ack. */
export async function finish(
  ctx: IngestContext,
  msg: JsMsg,
  event: SnapshotEvent,
  outcome: Exclude<IngestedSnapshotOutcome, { kind: "unknown_device" }>,
): Promise<void> {
  const announce = outcome.kind === "rejected" || outcome.kind === "reread" ? null : outcome.event;
  if (announce) {
    await ctx.js.publish(
      ctx.wire.subjects.ingested(announce.tenantId, announce.deviceId),
      IngestedEventCodec.encode(announce),
      { msgID: `ingested:${announce.sourceMsgId}`, timeout: ctx.publishTimeoutMs },
    );
  }
  if (event.content.kind === "object") {
    const { name } = event.content;
    await ctx.blobs.delete(name).catch((err: unknown) => {
      // The sweep removes it once older than the stream's max age.
      ctx.logger.warn({ err, streamSequence: msg.info.streamSequence }, "could not delete the stored snapshot's blob");
    });
  }
  msg.ack();
  ctx.metrics.pending.set({ consumer: CONSUMER }, msg.info.pending);
  ctx.metrics.messages.inc({ consumer: CONSUMER, outcome: outcome.kind });
  if (outcome.kind === "duplicate") ctx.metrics.duplicates.inc({ consumer: CONSUMER });
  if (outcome.kind === "rejected" && outcome.blocked) ctx.metrics.devicesBlocked.inc({ code: "SSH_HOSTKEY_MISMATCH" });
}

/** The IngestedEvent kept in a receipt (null when nothing was announced). */
export function receiptEvent(stored: unknown): IngestedEvent | null {
  return stored === null ? null : IngestedEventCodec.parse(stored);
}
