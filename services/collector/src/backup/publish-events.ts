import { randomUUID } from "node:crypto";
import { JetStreamApiError, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import {
  type BackupFailedEvent,
  BackupFailedEventCodec,
  type Driver,
  NORMALIZATION_VERSION,
  type SnapshotEvent,
  SnapshotEventCodec,
  type Wire,
} from "@netledger/contracts";
import {
  deviceSealAad,
  publishUntilAcked,
  type Sealer,
  type SnapshotBlobStore,
  sealSnapshotContent,
} from "@netledger/platform";
import { BackupError } from "../errors.js";
import type { BackupRequest } from "./backup-types.js";
import type { CollectedExport } from "./collect-export.js";

/** The object store as the collector uses it: put, and delete a blob a duplicate publish made useless. */
export interface CollectorBlobStore extends SnapshotBlobStore {
  delete(name: string): Promise<unknown>;
}

export interface PublishDeps {
  readonly wire: Wire;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly sealer: Sealer;
  readonly blobs: CollectorBlobStore;
  readonly publishTimeoutMs: number;
}

/**
 * Seals the normalized text, then publishes the snapshot event with `Nats-Msg-Id` and waits for
 * the PubAck, publishing again under the same id across a NATS reconnect until
 * `publishTimeoutMs` (platform publishUntilAcked). Returns whether JetStream already had that msg
 * id, and what content the event carries. Any failure is PUBLISH_FAILED; the blob of a snapshot
 * the stream surely did not store (the server refused it, or the blob upload itself failed) is
 * deleted. After a timeout the stream may hold the event, so its blob stays (the bucket's TTL
 * removes it if unreferenced).
 *
 * A text whose sha256 is the request's `lastSnapshotSha256` (the device's latest stored version
 * when the job or trigger was made) is neither gzipped, sealed nor sent: the event says
 * `content: { kind: "stored" }` and the ingestor finds the text among the stored versions.
 */
export async function publishSnapshot(
  deps: PublishDeps,
  request: BackupRequest,
  driver: Driver,
  collected: CollectedExport,
  collectedAt: string,
): Promise<{ duplicate: boolean; content: SnapshotEvent["content"]["kind"] }> {
  const { tenantId, deviceId } = request;
  // A fresh object name per attempt: an object a stored event points at is never overwritten.
  const name = `${tenantId}/${deviceId}/${randomUUID()}`;
  let content: SnapshotEvent["content"] | undefined;
  try {
    content =
      request.device.lastSnapshotSha256 === collected.sha256
        ? { kind: "stored" }
        : await sealSnapshotContent({
            text: collected.content,
            sealer: deps.sealer,
            aad: deviceSealAad(tenantId, deviceId),
            blobs: deps.blobs,
            bucket: deps.wire.snapshotBlobBucket,
            name,
          });
    const event: SnapshotEvent = {
      msgId: request.snapshotMsgId,
      tenantId,
      deviceId,
      trigger: request.trigger,
      ...(request.jobId !== undefined && { jobId: request.jobId }),
      driver,
      softwareVersion: collected.softwareVersion,
      sha256: collected.sha256,
      bytes: collected.bytes,
      collectedAt,
      normalizationVersion: NORMALIZATION_VERSION,
      hostKeyFingerprint: collected.hostKeyFingerprint,
      ...(collected.hostKeyType !== null && { hostKeyType: collected.hostKeyType }),
      content,
    };
    const { ack, attempts } = await publishUntilAcked(
      deps.nc,
      deps.js,
      deps.wire.subjects.snapshot(tenantId, deviceId),
      SnapshotEventCodec.encode(event),
      { msgID: request.snapshotMsgId, timeoutMs: deps.publishTimeoutMs },
    );
    if (ack.duplicate && content.kind === "object" && attempts === 1) {
      // The stored event references the blob of an earlier backup; ours is unreferenced. (After
      // a retry, the stored event may be this backup's own first attempt, pointing at `name`.)
      await deps.blobs.delete(name).catch(() => {});
    }
    return { duplicate: ack.duplicate, content: content.kind };
  } catch (cause) {
    // A failed upload may have left chunks; a refused event leaves a blob nothing will reference.
    const orphan = content === undefined || (content.kind === "object" && cause instanceof JetStreamApiError);
    if (orphan) await deps.blobs.delete(name).catch(() => {});
    throw new BackupError("PUBLISH_FAILED", "snapshot could not be published to JetStream", { cause });
  }
}

/** Publishes a backup-failed event and waits for its PubAck. Throws on failure (callers log it). */
export async function publishFailure(
  deps: Pick<PublishDeps, "wire" | "nc" | "js" | "publishTimeoutMs">,
  request: BackupRequest,
  failure: Pick<
    BackupFailedEvent,
    "code" | "message" | "permanent" | "observedHostKeyFingerprint" | "observedHostKeyType"
  >,
  occurredAt: string,
): Promise<void> {
  const event: BackupFailedEvent = {
    msgId: request.failureMsgId,
    tenantId: request.tenantId,
    deviceId: request.deviceId,
    trigger: request.trigger,
    ...(request.jobId !== undefined && { jobId: request.jobId }),
    code: failure.code,
    message: failure.message,
    permanent: failure.permanent,
    occurredAt,
    ...(failure.observedHostKeyFingerprint !== undefined && {
      observedHostKeyFingerprint: failure.observedHostKeyFingerprint,
    }),
    ...(failure.observedHostKeyType !== undefined && { observedHostKeyType: failure.observedHostKeyType }),
  };
  await publishUntilAcked(
    deps.nc,
    deps.js,
    deps.wire.subjects.backupFailed(request.tenantId, request.deviceId),
    BackupFailedEventCodec.encode(event),
    { msgID: request.failureMsgId, timeoutMs: deps.publishTimeoutMs },
  );
}
