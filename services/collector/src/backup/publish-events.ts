import { randomUUID } from "node:crypto";
import type { JetStreamClient } from "@nats-io/jetstream";
import {
  type BackupFailedEvent,
  BackupFailedEventCodec,
  type Driver,
  NORMALIZATION_VERSION,
  type SnapshotEvent,
  SnapshotEventCodec,
  type Wire,
} from "@netledger/contracts";
import { deviceSealAad, type Sealer, type SnapshotBlobStore, sealSnapshotContent } from "@netledger/platform";
import { BackupError } from "../errors.js";
import type { BackupRequest } from "./backup-types.js";
import type { CollectedExport } from "./collect-export.js";

/** The object store as the collector uses it: put, and delete a blob a duplicate publish made useless. */
export interface CollectorBlobStore extends SnapshotBlobStore {
  delete(name: string): Promise<unknown>;
}

export interface PublishDeps {
  readonly wire: Wire;
  readonly js: JetStreamClient;
  readonly sealer: Sealer;
  readonly blobs: CollectorBlobStore;
  readonly publishTimeoutMs: number;
}

/**
 * Seals the normalized text, then publishes the snapshot event with `Nats-Msg-Id` and waits for
 * the PubAck. Returns whether JetStream already had that msg id. Any failure is PUBLISH_FAILED.
 */
export async function publishSnapshot(
  deps: PublishDeps,
  request: BackupRequest,
  driver: Driver,
  collected: CollectedExport,
  collectedAt: string,
): Promise<{ duplicate: boolean }> {
  const { tenantId, deviceId } = request;
  // A fresh object name per attempt: an object a stored event points at is never overwritten.
  const name = `${tenantId}/${deviceId}/${randomUUID()}`;
  try {
    const content = await sealSnapshotContent({
      text: collected.normalized,
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
    const ack = await deps.js.publish(
      deps.wire.subjects.snapshot(tenantId, deviceId),
      SnapshotEventCodec.encode(event),
      {
        msgID: request.snapshotMsgId,
        timeout: deps.publishTimeoutMs,
      },
    );
    if (ack.duplicate && content.kind === "object") {
      // The stored event references the blob of the first attempt; ours is unreferenced.
      await deps.blobs.delete(name).catch(() => {});
    }
    return { duplicate: ack.duplicate };
  } catch (cause) {
    throw new BackupError("PUBLISH_FAILED", "snapshot could not be published to JetStream", { cause });
  }
}

/** Publishes a backup-failed event and waits for its PubAck. Throws on failure (callers log it). */
export async function publishFailure(
  deps: Pick<PublishDeps, "wire" | "js" | "publishTimeoutMs">,
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
  await deps.js.publish(
    deps.wire.subjects.backupFailed(request.tenantId, request.deviceId),
    BackupFailedEventCodec.encode(event),
    { msgID: request.failureMsgId, timeout: deps.publishTimeoutMs },
  );
}
