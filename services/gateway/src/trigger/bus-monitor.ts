import type { NatsConnection } from "@nats-io/nats-core";

/**
 * What the gateway knows about its NATS connection: nats-core exposes no "connected" flag, only
 * a status stream, so one monitor per connection follows it and tells waiting triggers when the
 * connection came back (their request may have been dropped meanwhile, see `collector-request.ts`).
 */
export interface BusMonitor {
  /** False between a `disconnect` and the next `reconnect`, and once the connection is closed. */
  connected(): boolean;
  /** `Date.now()` of the last reconnect, or null. */
  lastReconnectAt(): number | null;
  /** Calls `listener` after every reconnect; returns the unsubscribe function. */
  onReconnect(listener: () => void): () => void;
  /** Calls `listener` after every disconnect (and on close); returns the unsubscribe function. */
  onDisconnect(listener: () => void): () => void;
  /** Resolves true once connected (at once when connected), false when `timeoutMs` passes first or the connection closes. */
  waitConnected(timeoutMs: number): Promise<boolean>;
}

/** Follows `nc.status()` for as long as the connection lives; the caller's connection is assumed connected. */
export function monitorBus(nc: NatsConnection): BusMonitor {
  let up = !nc.isClosed();
  let reconnectedAt: number | null = null;
  const reconnectListeners = new Set<() => void>();
  const disconnectListeners = new Set<() => void>();
  const notify = (listeners: Set<() => void>) => {
    for (const listener of [...listeners]) listener();
  };
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect") {
        up = false;
        notify(disconnectListeners);
      } else if (status.type === "reconnect") {
        up = true;
        reconnectedAt = Date.now();
        notify(reconnectListeners);
      }
    }
  })().catch(() => {});
  void nc.closed().then(() => {
    up = false;
    notify(disconnectListeners);
    notify(reconnectListeners);
  });

  const subscribe = (listeners: Set<() => void>) => (listener: () => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  const onReconnect = subscribe(reconnectListeners);
  return {
    connected: () => up && !nc.isClosed(),
    lastReconnectAt: () => reconnectedAt,
    onReconnect,
    onDisconnect: subscribe(disconnectListeners),
    waitConnected(timeoutMs) {
      if (up && !nc.isClosed()) return Promise.resolve(true);
      if (nc.isClosed()) return Promise.resolve(false);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          stop();
          resolve(false);
        }, timeoutMs);
        const stop = onReconnect(() => {
          clearTimeout(timer);
          stop();
          resolve(!nc.isClosed());
        });
      });
    },
  };
}
