import { BackupFailedEventCodec, type Wire } from "@netledger/contracts";
import type { World } from "@netledger/testkit";
import { BenchTimeoutError } from "./errors.js";

/** A snapshot event as it went by on the wire, kept raw: decoding waits until measuring is over. */
export interface Arrival {
  readonly msgId: string;
  /** `performance.now()` when it arrived. */
  readonly at: number;
  readonly data: Uint8Array;
}

export interface SnapshotWatch {
  /** Arrivals by Nats-Msg-Id (`job:<jobId>`, `trigger:<requestId>`). */
  readonly arrivals: ReadonlyMap<string, Arrival>;
  /** Failure codes of the backup-failed events seen (a failed attempt of a job that is retried counts too). */
  readonly failures: readonly string[];
  /** Resolves once `count` snapshots with msg ids starting with `prefix` arrived. */
  waitFor(prefix: string, count: number, timeoutMs: number): Promise<void>;
  close(): void;
}

/**
 * Listens (core NATS, beside JetStream) to every snapshot and backup-failed event of the world,
 * so a pass knows the moment its last snapshot was published without polling the stream.
 */
export function watchSnapshots(nc: World["nc"], wire: Wire): SnapshotWatch {
  const arrivals = new Map<string, Arrival>();
  const failures: string[] = [];
  let onArrival: (msgId: string) => void = () => {};
  const snapshots = nc.subscribe(wire.subjects.snapshotsAll, {
    callback: (err, msg) => {
      if (err) return;
      const msgId = msg.headers?.get("Nats-Msg-Id") ?? "";
      if (arrivals.has(msgId)) return;
      arrivals.set(msgId, { msgId, at: performance.now(), data: msg.data });
      onArrival(msgId);
    },
  });
  const failed = nc.subscribe(wire.subjects.backupFailedAll, {
    callback: (err, msg) => {
      if (err) return;
      try {
        failures.push(BackupFailedEventCodec.decode(msg.data).code);
      } catch {
        failures.push("UNDECODABLE_EVENT");
      }
    },
  });
  const counted = (prefix: string): number => {
    let n = 0;
    for (const id of arrivals.keys()) if (id.startsWith(prefix)) n++;
    return n;
  };
  return {
    arrivals,
    failures,
    waitFor(prefix, count, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        let seen = counted(prefix);
        const done = (): void => {
          clearTimeout(timer);
          onArrival = () => {};
          resolve();
        };
        const timer = setTimeout(() => {
          onArrival = () => {};
          reject(
            new BenchTimeoutError(
              `only ${counted(prefix)} of ${count} "${prefix}" snapshots in ${Math.round(timeoutMs)} ms`,
            ),
          );
        }, timeoutMs);
        onArrival = (msgId) => {
          if (msgId.startsWith(prefix) && ++seen >= count) done();
        };
        if (seen >= count) done();
      });
    },
    close() {
      snapshots.unsubscribe();
      failed.unsubscribe();
    },
  };
}
