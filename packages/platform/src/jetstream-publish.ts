import { JetStreamApiError, type JetStreamClient, type PubAck } from "@nats-io/jetstream";
import type { MsgHdrs, NatsConnection } from "@nats-io/nats-core";

export interface PublishUntilAckedOptions {
  /** `Nats-Msg-Id`: every attempt reuses it, so the stream keeps one message however many reach it. */
  readonly msgID: string;
  /** Time allowed across all attempts. */
  readonly timeoutMs: number;
  readonly headers?: MsgHdrs;
}

export interface PublishResult {
  readonly ack: PubAck;
  /** Attempts made; above 1 an earlier one may have been stored (then `ack.duplicate` is true). */
  readonly attempts: number;
}

const RETRY_PAUSE_MS = 250;
const RECONNECTED = Symbol("reconnected");

interface ReconnectWatch {
  /** Resolves at the connection's next reconnect. */
  next: Promise<typeof RECONNECTED>;
}

const watches = new WeakMap<NatsConnection, ReconnectWatch>();

/** One status watcher per connection, shared by every publish on it. */
function reconnects(nc: NatsConnection): ReconnectWatch {
  const known = watches.get(nc);
  if (known) return known;
  let resolve: (value: typeof RECONNECTED) => void = () => {};
  const watch: ReconnectWatch = { next: new Promise((r) => (resolve = r)) };
  watches.set(nc, watch);
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type !== "reconnect") continue;
      const fire = resolve;
      watch.next = new Promise((r) => (resolve = r));
      fire(RECONNECTED);
    }
  })().catch(() => {});
  return watch;
}

/**
 * A JetStream publish that survives a NATS reconnect. nats-core 3.4 drops what was published
 * while disconnected when it reconnects, and a PubAck in flight at a disconnect never arrives:
 * a plain publish then fails only at its timeout though the server is back. This publishes with
 * `msgID` and, when the connection reconnects before the PubAck or an attempt fails without an
 * answer from the server (timeout, no responders while JetStream restarts), publishes again
 * under the same msg id until `timeoutMs` has passed; the stream's duplicate window makes that
 * safe. A refusal by the server (`JetStreamApiError`: stream full, wrong expectation) is final.
 *
 * @example
 * const { ack } = await publishUntilAcked(nc, js, subject, data, { msgID: `job:${id}`, timeoutMs: 10_000 });
 */
export async function publishUntilAcked(
  nc: NatsConnection,
  js: JetStreamClient,
  subject: string,
  payload: Uint8Array,
  options: PublishUntilAckedOptions,
): Promise<PublishResult> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (let attempts = 1; ; attempts++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0 || nc.isClosed()) throw lastError ?? new Error("JetStream publish timed out");
    const reconnected = reconnects(nc).next;
    const attempt = js.publish(subject, payload, {
      msgID: options.msgID,
      timeout: remaining,
      ...(options.headers && { headers: options.headers }),
    });
    attempt.catch(() => {}); // abandoned after a reconnect, it may still reject later
    try {
      const result = await Promise.race([attempt, reconnected]);
      if (result !== RECONNECTED) return { ack: result, attempts };
      lastError = new Error("NATS reconnected before the PubAck arrived");
    } catch (err) {
      if (err instanceof JetStreamApiError) throw err;
      lastError = err;
      const pause = Math.min(RETRY_PAUSE_MS, Math.max(0, deadline - Date.now()));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([reconnected, new Promise((r) => (timer = setTimeout(r, pause)))]);
      clearTimeout(timer);
    }
  }
}
