import { createHash } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { type SnapshotEvent, SnapshotEventCodec } from "@netledger/contracts";
import type { DeviceStats } from "@netledger/device-sim";
import { deviceSealAad, openSnapshotBlobs, openSnapshotContent } from "@netledger/platform";
import type { World } from "@netledger/testkit";
import type { BenchDevice } from "./bench-world.js";
import type { SnapshotWatch } from "./snapshot-watch.js";

/** One correctness fact checked during a run; a run with any failed check exits non-zero. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Sealed snapshots opened back to text per pass (opening all would only repeat the same proof). */
const SEALED_SAMPLE = 5;

/**
 * Invariant 2 on the simulator's own counters (reset before each phase): every device saw
 * exactly one SSH session in the phase and never two at once.
 */
export function checkSessions(phase: string, stats: readonly DeviceStats[]): Check {
  const maxConcurrent = Math.max(...stats.map((s) => s.maxConcurrent));
  const sessions = stats.map((s) => s.sessions);
  const [low, high] = [Math.min(...sessions), Math.max(...sessions)];
  return {
    name: `${phase}: one session per device, never two at once`,
    ok: maxConcurrent <= 1 && low === 1 && high === 1,
    detail: `max concurrent sessions on any device ${maxConcurrent}; sessions per device ${low}..${high}`,
  };
}

/** `actual` must equal `expected`; the distinct `problems` (failure codes, reasons) go in the detail. */
export function checkCount(
  name: string,
  actual: number,
  expected: number,
  what: string,
  problems: readonly string[] = [],
): Check {
  const seen = problems.length ? `; seen: ${[...new Set(problems)].slice(0, 5).join(", ")}` : "";
  return { name, ok: actual === expected, detail: `${actual} (expected ${expected}) ${what}${seen}` };
}

/** Decodes the snapshot events of one pass (msg ids starting with `prefix`), by device id. */
export function eventsOf(watch: SnapshotWatch, prefix: string): Map<string, SnapshotEvent> {
  const events = new Map<string, SnapshotEvent>();
  for (const arrival of watch.arrivals.values()) {
    if (!arrival.msgId.startsWith(prefix)) continue;
    const event = SnapshotEventCodec.decode(arrival.data);
    events.set(event.deviceId, event);
  }
  return events;
}

/**
 * What JetStream itself holds: `perDevice` snapshots under every device's subject and nothing
 * else (an acked publish is stored exactly once, whatever the client saw).
 */
export async function checkStream(
  phase: string,
  world: World,
  devices: readonly BenchDevice[],
  perDevice: number,
): Promise<Check> {
  const jsm = await jetstreamManager(world.nc);
  const info = await jsm.streams.info(world.wire.streams.snapshots.name, { subjects_filter: ">" });
  const subjects = info.state.subjects ?? {};
  const wrong = devices.filter((d) => subjects[world.wire.subjects.snapshot(d.tenantId, d.deviceId)] !== perDevice);
  return {
    name: `${phase}: snapshot stream holds ${perDevice} per device`,
    ok: wrong.length === 0 && info.state.messages === perDevice * devices.length,
    detail: `${info.state.messages} messages in ${info.state.num_subjects ?? Object.keys(subjects).length} subjects; ${wrong.length} devices off`,
  };
}

/**
 * The sealing round trip on a sample: content opens with the world's key ring and the device's
 * AAD, and hashes to the event's sha256 and byte count.
 */
export async function checkSealedSample(world: World, events: readonly SnapshotEvent[], phase: string): Promise<Check> {
  const blobs = await openSnapshotBlobs(world.nc, world.wire);
  // A snapshot of an unchanged config carries no content (`stored`): nothing to open.
  const sample = events.filter((event) => event.content.kind !== "stored").slice(0, SEALED_SAMPLE);
  let good = 0;
  for (const event of sample) {
    if (event.content.kind === "stored") continue;
    const text = await openSnapshotContent(event.content, {
      sealer: world.sealer,
      aad: deviceSealAad(event.tenantId, event.deviceId),
      blobs,
    });
    const sha256 = createHash("sha256").update(text, "utf8").digest("hex");
    if (sha256 === event.sha256 && Buffer.byteLength(text, "utf8") === event.bytes) good++;
  }
  return checkCount(`${phase}: sealed content opens to the hashed text`, good, sample.length, "sampled snapshots");
}
