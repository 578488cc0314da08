import { type ErrorCode, InvalidMessageError, type TriggerReply, type TriggerRequest } from "@netledger/contracts";
import type { BackupOutcome, BackupRequest } from "../backup/backup-types.js";

/** Placeholder id for replies to requests whose own id could not be read. */
export const UNKNOWN_REQUEST_ID = "00000000-0000-0000-0000-000000000000";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The backup a valid trigger request asks for. */
export function backupRequestOf(request: TriggerRequest): BackupRequest {
  return {
    trigger: "manual",
    tenantId: request.tenantId,
    deviceId: request.deviceId,
    device: request.device,
    snapshotMsgId: `trigger:${request.requestId}`,
    failureMsgId: `trigger-failed:${request.requestId}`,
  };
}

/** Maps a pipeline outcome to the reply the gateway turns into an HTTP status. */
export function replyOf(requestId: string, outcome: BackupOutcome): TriggerReply {
  switch (outcome.kind) {
    case "success":
      return {
        kind: "success",
        requestId,
        snapshotMsgId: outcome.snapshotMsgId,
        sha256: outcome.sha256,
        bytes: outcome.bytes,
        collectedAt: outcome.collectedAt,
        hostKeyFingerprint: outcome.hostKeyFingerprint,
        timings: outcome.timings,
      };
    case "locked":
      return { kind: "locked", requestId, code: "DEVICE_LOCKED" };
    case "failed":
      return { kind: "failed", requestId, code: outcome.code, message: outcome.message };
    case "interrupted":
      // The replica is shutting down and nothing was stored: ask again, another replica answers.
      return { kind: "busy", requestId, retryAfterMs: 0 };
  }
}

/**
 * The failed reply to a request that did not decode: with its own requestId when that much is
 * readable, so the caller can still correlate it. The message names schema paths, never values.
 */
export function invalidRequestReply(raw: Uint8Array, err: unknown): TriggerReply {
  const code: ErrorCode = err instanceof InvalidMessageError ? "INVALID_MESSAGE" : "INTERNAL";
  const message = err instanceof InvalidMessageError ? err.message.slice(0, 500) : "trigger request not processed";
  return { kind: "failed", requestId: readableRequestId(raw) ?? UNKNOWN_REQUEST_ID, code, message };
}

function readableRequestId(raw: Uint8Array): string | null {
  try {
    const id: unknown = JSON.parse(Buffer.from(raw).toString("utf8"))?.requestId;
    return typeof id === "string" && UUID.test(id) ? id : null;
  } catch {
    return null;
  }
}
