import type { NatsConnection } from "@nats-io/nats-core";
import { type IngestedEvent, IngestedEventCodec } from "@netledger/contracts";

/**
 * Listens for the ingestor's `IngestedEvent`s of one device. Opened BEFORE the trigger request
 * is sent: the ingestor may persist the snapshot before the collector's reply reaches us, and an
 * event published before the subscription exists is never seen (core subscription on a stream
 * subject: no replay).
 */
export interface IngestWatch {
  /** The event whose `sourceMsgId` matches, as soon as it came (or already had), else null after `timeoutMs`. */
  waitFor(sourceMsgId: string, timeoutMs: number): Promise<IngestedEvent | null>;
  close(): void;
}

export function watchIngest(nc: NatsConnection, subject: string): IngestWatch {
  const sub = nc.subscribe(subject);
  const seen = new Map<string, IngestedEvent>();
  const waiters = new Map<string, (event: IngestedEvent) => void>();
  void (async () => {
    for await (const msg of sub) {
      let event: IngestedEvent;
      try {
        event = IngestedEventCodec.decode(msg.data);
      } catch {
        continue;
      }
      seen.set(event.sourceMsgId, event);
      waiters.get(event.sourceMsgId)?.(event);
    }
  })().catch(() => {});

  return {
    waitFor(sourceMsgId, timeoutMs) {
      const already = seen.get(sourceMsgId);
      if (already) return Promise.resolve(already);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(sourceMsgId);
          resolve(null);
        }, timeoutMs);
        waiters.set(sourceMsgId, (event) => {
          clearTimeout(timer);
          waiters.delete(sourceMsgId);
          resolve(event);
        });
      });
    },
    close() {
      if (!sub.isClosed()) sub.unsubscribe();
    },
  };
}
