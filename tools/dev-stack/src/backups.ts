import { randomUUID } from "node:crypto";
import type { NatsConnection } from "@nats-io/nats-core";
import { NoRespondersError, RequestError, TimeoutError } from "@nats-io/nats-core";
import { type TriggerReply, TriggerReplyCodec, TriggerRequestCodec, type Wire } from "@netledger/contracts";
import type { SeededDevice } from "./seed.js";

/**
 * Stand-in trigger source: until the ingestor's scheduler and the gateway's REST API exist, the
 * dev stack asks the collectors to back up each device itself, with the same trigger request
 * the gateway will send (core NATS request to the collectors' queue group).
 */

/** What became of one device's trigger. */
export type BackupResult =
  | { readonly kind: "reply"; readonly name: string; readonly ms: number; readonly reply: TriggerReply }
  | {
      readonly kind: "no-reply";
      readonly name: string;
      readonly ms: number;
      readonly reason: "NO_COLLECTOR" | "TIMEOUT" | "ERROR";
    };

export interface BackupCycleOptions {
  readonly nc: NatsConnection;
  readonly wire: Wire;
  readonly tenantId: string;
  readonly devices: readonly SeededDevice[];
  /** Requests in flight at once. */
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Called as each device's result arrives. */
  readonly onResult: (result: BackupResult) => void;
  /** Checked before each new request: a stopping stack sends no more. */
  readonly stopping: () => boolean;
}

/** Triggers a backup of every device, at most `concurrency` at a time; resolves with all results. */
export async function runBackupCycle(options: BackupCycleOptions): Promise<BackupResult[]> {
  const queue = [...options.devices];
  const results: BackupResult[] = [];
  const worker = async () => {
    for (let device = queue.shift(); device && !options.stopping(); device = queue.shift()) {
      const result = await triggerOne(options, device);
      results.push(result);
      options.onResult(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, queue.length) }, worker));
  return results;
}

async function triggerOne(options: BackupCycleOptions, device: SeededDevice): Promise<BackupResult> {
  const started = performance.now();
  const request = TriggerRequestCodec.encode({
    requestId: randomUUID(),
    tenantId: options.tenantId,
    deviceId: device.deviceId,
    device: device.target,
    requestedAt: new Date().toISOString(),
  });
  const ms = () => Math.round(performance.now() - started);
  try {
    const msg = await options.nc.request(options.wire.subjects.trigger, request, { timeout: options.timeoutMs });
    return { kind: "reply", name: device.name, reply: TriggerReplyCodec.decode(msg.data), ms: ms() };
  } catch (err) {
    return { kind: "no-reply", name: device.name, reason: reasonOf(err), ms: ms() };
  }
}

function reasonOf(err: unknown): "NO_COLLECTOR" | "TIMEOUT" | "ERROR" {
  if (err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders())) return "NO_COLLECTOR";
  if (err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError))
    return "TIMEOUT";
  return "ERROR";
}

/** `sim-003      success  sha256 1f2e3d4c5b6a  20.1 KB    48 ms`, one line per device. */
export function formatBackupResult(result: BackupResult, nameWidth: number): string {
  const name = result.name.padEnd(nameWidth);
  const ms = `${String(result.ms).padStart(6)} ms`;
  if (result.kind === "no-reply") {
    const what = { NO_COLLECTOR: "no collector answered", TIMEOUT: "no reply in time", ERROR: "request failed" }[
      result.reason
    ];
    return `${name} failed   ${result.reason.padEnd(22)} ${what.padEnd(12)} ${ms}`;
  }
  const { reply } = result;
  switch (reply.kind) {
    case "success":
      return `${name} success  sha256 ${reply.sha256.slice(0, 12)}  ${formatBytes(reply.bytes).padStart(9)}   ${ms}`;
    case "locked":
      return `${name} locked   ${reply.code.padEnd(22)} ${"".padEnd(12)} ${ms}`;
    case "failed":
      return `${name} failed   ${reply.code.padEnd(22)} ${"".padEnd(12)} ${ms}`;
    case "busy":
      return `${name} busy     ${"COLLECTOR_BUSY".padEnd(22)} ${"".padEnd(12)} ${ms}`;
  }
}

function formatBytes(bytes: number): string {
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Whether a result counts as a successful backup (a success reply). */
export function isSuccess(result: BackupResult): boolean {
  return result.kind === "reply" && result.reply.kind === "success";
}
