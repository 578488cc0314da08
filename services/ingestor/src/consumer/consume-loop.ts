import type { ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { Logger } from "@netledger/platform";
import type { DatabaseGate } from "./database-gate.js";

export interface ConsumerLoopOptions {
  readonly js: JetStreamClient;
  readonly stream: string;
  readonly durable: string;
  /** Handlers running at once (one database transaction each). */
  readonly concurrency: number;
  readonly gate: DatabaseGate;
  readonly logger: Logger;
  /** Handles and settles one message (ack, nak, term); must not throw. */
  readonly handle: (msg: JsMsg) => Promise<void>;
  /**
   * Batch mode: up to `max` messages already received are handed over at once (waiting for more
   * only beside a running batch, up to `lingerMs`), in stream order, at most one per subject; no
   * two running batches share a subject.
   * Settles every message; must not throw.
   */
  readonly batch?: {
    readonly max: number;
    /**
     * Group commit: while a batch is running, a batch that is not full starts only once its oldest
     * message has waited this long (or when no batch runs any more). Snapshots that trickle in then
     * share a transaction instead of each taking its own; a full batch still starts at once.
     * 0 starts every batch as soon as a handler is free.
     */
    readonly lingerMs?: number;
    readonly handle: (msgs: readonly JsMsg[]) => Promise<void>;
  };
}

export interface ConsumerLoop {
  /**
   * Stops pulling; messages not started yet are nak'ed (another replica takes them at once);
   * waits up to `graceMs` for the ones being handled (drain on SIGTERM).
   */
  stop(graceMs: number): Promise<void>;
}

/**
 * Pulls from a durable consumer and handles messages with bounded concurrency, one handler at a
 * time per subject (per device): a device's messages are handled in stream order by this replica,
 * and different devices in parallel. In batch mode a handler gets whatever has arrived (up to the
 * batch size) when a slot frees; beside a running batch, a partial one lingers first (group
 * commit). Waits while the database gate is closed.
 */
export async function startConsumerLoop(options: ConsumerLoopOptions): Promise<ConsumerLoop> {
  const { js, concurrency, gate, logger } = options;
  const batchMax = options.batch ? Math.max(1, options.batch.max) : 1;
  const lingerMs = batchMax > 1 ? Math.max(0, options.batch?.lingerMs ?? 0) : 0;
  const handleBatch =
    options.batch && batchMax > 1 ? options.batch.handle : (msgs: readonly JsMsg[]) => options.handle(msgs[0]!);
  const consumer = await js.consumers.get(options.stream, options.durable);
  const messages: ConsumerMessages = await consumer.consume({
    max_messages: Math.max(concurrency * 4, batchMax * 2),
  });
  // Received but not started: enough to fill the next batches, few enough to start well within ack_wait.
  const maxWaiting = Math.max(concurrency * 8, batchMax * 2);
  /** Received, not started yet, in stream order. */
  let waiting: JsMsg[] = [];
  /** When each waiting message was received (group commit). */
  const receivedAt = new WeakMap<JsMsg, number>();
  let lingerTimer: NodeJS.Timeout | undefined;
  /** Subjects of the running handlers. */
  const busy = new Set<string>();
  const running = new Set<Promise<void>>();
  let stopping = false;
  let pumpQueued = false;
  let waitingForGate = false;
  const wakeups: (() => void)[] = [];
  const wake = () => {
    for (const resume of wakeups.splice(0)) resume();
  };

  /**
   * The next batch: oldest first, one message per subject, skipping subjects being handled (so a
   * subject's later messages wait for the earlier one's batch).
   */
  const takeBatch = (): JsMsg[] => {
    const batch: JsMsg[] = [];
    const taken = new Set<string>();
    const rest: JsMsg[] = [];
    for (const msg of waiting) {
      if (batch.length < batchMax && !busy.has(msg.subject) && !taken.has(msg.subject)) {
        batch.push(msg);
        taken.add(msg.subject);
      } else {
        rest.push(msg);
      }
    }
    waiting = rest;
    return batch;
  };

  const start = (batch: JsMsg[]) => {
    const subjects = new Set(batch.map((msg) => msg.subject));
    for (const subject of subjects) busy.add(subject);
    const task: Promise<void> = handleBatch(batch)
      .catch((err: unknown) => {
        logger.error({ err, stream: options.stream }, "message handler threw; nak");
        for (const msg of batch) msg.nak();
      })
      .finally(() => {
        for (const subject of subjects) busy.delete(subject);
        running.delete(task);
        pump();
        wake();
      });
    running.add(task);
  };

  const startAll = () => {
    pumpQueued = false;
    while (!stopping && running.size < concurrency && waiting.length > 0) {
      if (!gate.isOpen()) {
        if (!waitingForGate) {
          waitingForGate = true;
          void gate.whenOpen().then(() => {
            waitingForGate = false;
            pump();
          });
        }
        return;
      }
      if (lingering()) return;
      const batch = takeBatch();
      if (batch.length === 0) return;
      start(batch);
    }
  };

  /**
   * Whether to hold a partial batch back while another batch runs (group commit): true until the
   * oldest waiting message is `lingerMs` old, with a timer set to try again then.
   */
  const lingering = (): boolean => {
    if (lingerMs === 0 || running.size === 0 || waiting.length >= batchMax) return false;
    const waited = performance.now() - (receivedAt.get(waiting[0]!) ?? 0);
    if (waited >= lingerMs) return false;
    if (lingerTimer === undefined) {
      lingerTimer = setTimeout(() => {
        lingerTimer = undefined;
        pump();
      }, lingerMs - waited);
    }
    return true;
  };

  /** Starts handlers once the messages received so far are queued (a batch takes all of them). */
  function pump() {
    if (pumpQueued) return;
    pumpQueued = true;
    setImmediate(startAll);
  }

  const loop = (async () => {
    for await (const msg of messages) {
      if (stopping) {
        msg.nak();
        continue;
      }
      waiting.push(msg);
      if (lingerMs > 0) receivedAt.set(msg, performance.now());
      pump();
      while (waiting.length >= maxWaiting && !stopping) await new Promise<void>((resolve) => wakeups.push(resolve));
    }
  })().catch((err: unknown) => logger.error({ err, stream: options.stream }, "consumer loop ended with an error"));

  return {
    async stop(graceMs) {
      if (stopping) return;
      stopping = true;
      clearTimeout(lingerTimer);
      wake();
      await messages.close();
      for (const msg of waiting.splice(0)) msg.nak();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all([loop, ...running]), grace]);
      clearTimeout(timer);
      for (const msg of waiting.splice(0)) msg.nak();
    },
  };
}
