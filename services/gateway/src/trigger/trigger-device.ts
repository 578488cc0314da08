import { randomUUID } from "node:crypto";
import type { NatsConnection } from "@nats-io/nats-core";
import {
  type ErrorCode,
  InvalidMessageError,
  type PhaseTimings,
  type TriggerReply,
  TriggerReplyCodec,
  TriggerRequestCodec,
  type Wire,
} from "@netledger/contracts";
import type { Database } from "@netledger/db";
import type { Kysely } from "kysely";
import type { BusMonitor } from "./bus-monitor.js";
import { requestCollector } from "./collector-request.js";
import { type BackupTarget, loadBackupTarget } from "./device-target.js";
import { watchIngest } from "./ingest-watch.js";

export interface TriggerSettings {
  /** Longest wait for the collector's reply (`deadlineAt` of the request). */
  readonly timeoutMs: number;
  /** Longest wait, after a success reply, for the ingestor to say the snapshot is stored. */
  readonly ingestWaitMs: number;
  /** See `CollectorRequestOptions.busGraceMs`. */
  readonly busGraceMs: number;
  /** See `CollectorRequestOptions.resubscribeGraceMs`. */
  readonly resubscribeGraceMs: number;
}

export interface TriggerDeps {
  readonly nc: NatsConnection;
  readonly bus: BusMonitor;
  readonly wire: Wire;
  readonly db: Kysely<Database>;
  readonly settings: TriggerSettings;
}

export interface TriggerTimings extends PhaseTimings {
  /** Request sent to reply received, as the gateway saw it. */
  readonly requestMs: number;
  /** Reply received to ingest event (or giving up on it). */
  readonly ingestWaitMs: number;
  /** The whole trigger inside the gateway. */
  readonly gatewayMs: number;
}

/** Everything "back up now" can end with, narrowed on `kind`; the route maps each to an HTTP answer. */
export type TriggerOutcome =
  | {
      readonly kind: "success";
      readonly requestId: string;
      readonly deviceId: string;
      readonly sha256: string;
      readonly bytes: number;
      /** False when the config equals the latest stored version. */
      readonly changed: boolean;
      /** True once the ingestor confirmed the snapshot is in PostgreSQL. */
      readonly stored: boolean;
      readonly snapshotId: string | null;
      readonly seq: number | null;
      readonly collectedAt: string;
      readonly timings: TriggerTimings;
    }
  | { readonly kind: "locked"; readonly requestId: string }
  | { readonly kind: "failed"; readonly requestId: string; readonly code: ErrorCode; readonly message: string }
  | { readonly kind: "busy"; readonly requestId: string; readonly retryAfterMs: number }
  | { readonly kind: "timeout"; readonly requestId: string }
  | { readonly kind: "no-collector"; readonly requestId: string }
  | { readonly kind: "bus-unavailable"; readonly requestId: string }
  | { readonly kind: "not-found" };

/** What the collector answered, known before the wait for the ingestor (for the audit trail). */
export interface CollectedFacts {
  readonly requestId: string;
  readonly outcome: Exclude<TriggerOutcome["kind"], "not-found">;
  readonly code?: ErrorCode;
  readonly sha256?: string;
}

export interface TriggerInput {
  readonly tenantId: string;
  readonly deviceId: string;
  /**
   * Called once the collector's answer is known (not for an unknown device), and awaited before
   * the outcome is returned; on success it runs while the ingest event is awaited, so an audit
   * insert adds no latency.
   */
  readonly onCollected?: (facts: CollectedFacts) => Promise<void>;
}

/**
 * "Back up this device now": loads the device (tenant-scoped), asks one collector over core
 * NATS, and on success waits a bounded time for the ingestor's event naming the stored snapshot.
 */
export async function triggerDeviceBackup(deps: TriggerDeps, input: TriggerInput): Promise<TriggerOutcome> {
  const startedAt = performance.now();
  const target = await loadBackupTarget(deps.db, input.tenantId, input.deviceId);
  if (!target) return { kind: "not-found" };
  const requestId = randomUUID();
  const settle = async (outcome: Exclude<TriggerOutcome, { kind: "success" | "not-found" }>) => {
    await input.onCollected?.({
      requestId,
      outcome: outcome.kind,
      ...(outcome.kind === "failed" && { code: outcome.code }),
    });
    return outcome;
  };
  if (!target.device) {
    return settle({
      kind: "failed",
      requestId,
      code: "DRIVER_UNKNOWN",
      message: "the device's driver is not supported",
    });
  }
  const { settings } = deps;
  const now = Date.now();
  const payload = TriggerRequestCodec.encode({
    requestId,
    tenantId: target.tenantId,
    deviceId: target.deviceId,
    device: target.device,
    requestedAt: new Date(now).toISOString(),
    deadlineAt: new Date(now + settings.timeoutMs).toISOString(),
  });

  const watch = watchIngest(deps.nc, deps.wire.subjects.ingested(target.tenantId, target.deviceId));
  try {
    const sentAt = performance.now();
    const answer = await requestCollector(deps.nc, deps.bus, {
      subject: deps.wire.subjects.trigger,
      payload,
      timeoutMs: settings.timeoutMs,
      busGraceMs: settings.busGraceMs,
      resubscribeGraceMs: settings.resubscribeGraceMs,
      // After a resend, our own first copy may still hold the device lock: ask again, not 409.
      retryAfterResend: (data) => {
        try {
          return TriggerReplyCodec.decode(data).kind === "locked";
        } catch {
          return false;
        }
      },
    });
    const requestMs = performance.now() - sentAt;
    switch (answer.kind) {
      case "no-collector":
      case "bus-unavailable":
      case "timeout":
        return settle({ kind: answer.kind, requestId });
      case "reply":
        break;
    }
    const reply = decodeReply(answer.data, requestId);
    switch (reply.kind) {
      case "locked":
        return settle({ kind: "locked", requestId });
      case "failed":
        return settle({ kind: "failed", requestId, code: reply.code, message: reply.message });
      case "busy":
        return settle({ kind: "busy", requestId, retryAfterMs: reply.retryAfterMs });
      case "success": {
        const ingestStartedAt = performance.now();
        const [ingest] = await Promise.all([
          storedSnapshot(deps, watch, reply.snapshotMsgId, target),
          input.onCollected?.({ requestId, outcome: "success", sha256: reply.sha256 }),
        ]);
        const done = performance.now();
        // The collector's success is already audited (onCollected); the ingestor did not store it.
        if (ingest?.heldBack) {
          return {
            kind: "failed",
            requestId,
            code: "EXPORT_TRUNCATED",
            message:
              "the export lost lines against the stored version and is held back as a suspected truncation; the device is read again and a repeated read is stored",
          };
        }
        return {
          kind: "success",
          requestId,
          deviceId: target.deviceId,
          sha256: reply.sha256,
          bytes: reply.bytes,
          changed: ingest?.changed ?? reply.sha256 !== target.latestSha256,
          stored: ingest !== null,
          snapshotId: ingest?.snapshotId ?? null,
          seq: ingest?.seq ?? null,
          collectedAt: reply.collectedAt,
          timings: {
            ...reply.timings,
            requestMs: round(requestMs),
            ingestWaitMs: round(done - ingestStartedAt),
            gatewayMs: round(done - startedAt),
          },
        };
      }
    }
  } finally {
    watch.close();
  }
}

/** A reply that does not decode, or answers another request, counts as a collector failure. */
function decodeReply(data: Uint8Array, requestId: string): TriggerReply {
  try {
    const reply = TriggerReplyCodec.decode(data);
    if (reply.requestId === requestId) return reply;
  } catch (err) {
    if (!(err instanceof InvalidMessageError)) throw err;
  }
  return { kind: "failed", requestId, code: "INVALID_MESSAGE", message: "the collector's reply could not be read" };
}

interface StoredRef {
  readonly snapshotId: string;
  readonly seq: number;
  readonly changed: boolean;
  /** Not stored: held back by the ingestor as a suspected truncation. */
  readonly heldBack?: boolean;
}

/**
 * The ingest event of the trigger's snapshot message, or, when it did not come in time (lost in
 * a reconnect, or the ingestor is slow), the row the ingestor may have stored already under the
 * same message id. An unchanged config stores no row, so only the event can confirm it.
 */
async function storedSnapshot(
  deps: TriggerDeps,
  watch: ReturnType<typeof watchIngest>,
  snapshotMsgId: string,
  target: BackupTarget,
): Promise<StoredRef | null> {
  const event = await watch.waitFor(snapshotMsgId, deps.settings.ingestWaitMs);
  if (event) return { snapshotId: event.snapshotId, seq: event.seq, changed: event.changed, heldBack: event.heldBack };
  const row = await deps.db
    .selectFrom("config_snapshots")
    .select(["id", "seq"])
    .where("tenant_id", "=", target.tenantId)
    .where("device_id", "=", target.deviceId)
    .where("source_msg_id", "=", snapshotMsgId)
    .executeTakeFirst();
  return row ? { snapshotId: row.id, seq: row.seq, changed: true } : null;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
