import { createInbox, type NatsConnection } from "@nats-io/nats-core";
import type { BusMonitor } from "./bus-monitor.js";

/** How a core-NATS request to the collectors ended, before its payload is decoded. */
export type CollectorAnswer =
  | { readonly kind: "reply"; readonly data: Uint8Array; readonly resends: number }
  /** The server said nobody listens on the subject: no collector runs. */
  | { readonly kind: "no-collector" }
  /** Connected, but no reply within the timeout. */
  | { readonly kind: "timeout"; readonly resends: number }
  /** NATS unreachable (at the start, or down for longer than the bus grace), or the connection closed. */
  | { readonly kind: "bus-unavailable" };

export interface CollectorRequestOptions {
  readonly subject: string;
  readonly payload: Uint8Array;
  /** Longest wait for a reply in all, resends included. */
  readonly timeoutMs: number;
  /** Longest the bus may stay disconnected (before or during the request) before the answer is `bus-unavailable`. */
  readonly busGraceMs: number;
  /**
   * After a reconnect, "no responders" may only mean the collectors have not re-subscribed yet:
   * within this long after the last reconnect the request is sent again instead of giving up.
   */
  readonly resubscribeGraceMs: number;
  /**
   * For replies that arrive after a resend: true when the reply may be about our own first copy
   * rather than an answer to us (e.g. "device locked" while the first copy's backup still holds
   * the lock); the request is then sent again a little later instead of ending.
   */
  readonly retryAfterResend?: (data: Uint8Array) => boolean;
}

/** Pause between sends while collectors re-subscribe after a reconnect. */
const RESUBSCRIBE_POLL_MS = 200;
/** Pause before asking again when a reply after a resend may concern our own first copy. */
const SELF_LOCKED_RETRY_MS = 500;

/**
 * Sends one request to the collectors and waits for the first reply, surviving a short NATS
 * outage: nats-core drops whatever was published while disconnected (and a reply published to
 * us meanwhile is lost too), so after every reconnect the same payload (same request id) goes
 * out again to the same inbox. A collector that got both copies publishes the snapshot under the
 * same `Nats-Msg-Id`, which JetStream stores once.
 *
 * Hand-rolled over `publish` + an inbox subscription rather than `nc.request`, because a resend
 * must reuse the inbox the first copy named.
 */
export async function requestCollector(
  nc: NatsConnection,
  bus: BusMonitor,
  options: CollectorRequestOptions,
): Promise<CollectorAnswer> {
  const startedAt = Date.now();
  if (!bus.connected() && !(await bus.waitConnected(Math.min(options.busGraceMs, options.timeoutMs)))) {
    return { kind: "bus-unavailable" };
  }
  if (nc.isClosed() || nc.isDraining()) return { kind: "bus-unavailable" };
  const remainingMs = Math.max(0, options.timeoutMs - (Date.now() - startedAt));
  const inbox = createInbox();
  const sub = nc.subscribe(inbox);

  return new Promise<CollectorAnswer>((resolve) => {
    let resends = 0;
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;
    let retryTimer: NodeJS.Timeout | undefined;
    const timers = () => [overallTimer, graceTimer, retryTimer];
    const finish = (answer: CollectorAnswer) => {
      if (settled) return;
      settled = true;
      for (const timer of timers()) clearTimeout(timer);
      offReconnect();
      offDisconnect();
      sub.unsubscribe();
      resolve(answer);
    };
    const send = () => {
      if (settled) return;
      try {
        nc.publish(options.subject, options.payload, { reply: inbox });
      } catch {
        finish({ kind: "bus-unavailable" });
      }
    };
    const overallTimer = setTimeout(
      () => finish(bus.connected() ? { kind: "timeout", resends } : { kind: "bus-unavailable" }),
      remainingMs,
    );
    const offDisconnect = bus.onDisconnect(() => {
      clearTimeout(graceTimer);
      graceTimer = setTimeout(() => {
        if (!bus.connected()) finish({ kind: "bus-unavailable" });
      }, options.busGraceMs);
    });
    const offReconnect = bus.onReconnect(() => {
      clearTimeout(graceTimer);
      if (!bus.connected()) return finish({ kind: "bus-unavailable" });
      resends++;
      send();
    });

    const sendLater = (delayMs: number) => {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => {
        resends++;
        send();
      }, delayMs);
    };

    void (async () => {
      for await (const msg of sub) {
        const noResponders = msg.data.length === 0 && msg.headers?.code === 503;
        if (!noResponders) {
          if (resends > 0 && options.retryAfterResend?.(msg.data)) {
            sendLater(SELF_LOCKED_RETRY_MS);
            continue;
          }
          return finish({ kind: "reply", data: msg.data, resends });
        }
        const reconnectedAt = bus.lastReconnectAt();
        if (reconnectedAt === null || Date.now() - reconnectedAt > options.resubscribeGraceMs) {
          return finish({ kind: "no-collector" });
        }
        sendLater(RESUBSCRIBE_POLL_MS);
      }
    })().catch(() => finish({ kind: "bus-unavailable" }));

    send();
  });
}
