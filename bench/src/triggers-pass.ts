import { randomUUID } from "node:crypto";
import { type TriggerReply, TriggerReplyCodec, TriggerRequestCodec } from "@netledger/contracts";
import type { World } from "@netledger/testkit";
import type { BenchDevice } from "./bench-world.js";
import { mapPool } from "./pool.js";

/** One "back up now" request as the gateway sends it, and what came back. */
export type TriggerResult =
  | { readonly kind: "reply"; readonly ms: number; readonly reply: TriggerReply }
  | { readonly kind: "no-reply"; readonly ms: number; readonly reason: string };

/**
 * Phase B through the trigger path: one core-NATS request per device on the trigger subject
 * (queue group, as the gateway does), `concurrency` in flight, each awaiting the collector's
 * reply (sent after the snapshot's PubAck).
 */
export function runTriggersPass(
  world: World,
  devices: readonly BenchDevice[],
  options: { concurrency: number; timeoutMs: number },
): Promise<TriggerResult[]> {
  return mapPool(devices, options.concurrency, async (device): Promise<TriggerResult> => {
    const request = TriggerRequestCodec.encode({
      requestId: randomUUID(),
      tenantId: device.tenantId,
      deviceId: device.deviceId,
      device: device.target,
      requestedAt: new Date().toISOString(),
    });
    const started = performance.now();
    try {
      const msg = await world.nc.request(world.wire.subjects.trigger, request, { timeout: options.timeoutMs });
      return { kind: "reply", ms: performance.now() - started, reply: TriggerReplyCodec.decode(msg.data) };
    } catch (err) {
      return { kind: "no-reply", ms: performance.now() - started, reason: err instanceof Error ? err.name : "error" };
    }
  });
}
