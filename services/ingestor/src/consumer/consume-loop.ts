import type { ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { Logger } from "@netledger/platform";
import type { DatabaseGate } from "./database-gate.js";

export interface ConsumerLoopOptions {
  readonly js: JetStreamClient;
  readonly stream: string;
  readonly durable: string;
  /** Messages handled at once (one database transaction each). */
  readonly concurrency: number;
  readonly gate: DatabaseGate;
  readonly logger: Logger;
  /** Handles and settles one message (ack, nak, term); must not throw. */
  readonly handle: (msg: JsMsg) => Promise<void>;
}

export interface ConsumerLoop {
  /**
   * Stops pulling; messages not started yet are nak'ed (another replica takes them at once);
   * waits up to `graceMs` for the ones being handled (drain on SIGTERM).
   */
  stop(graceMs: number): Promise<void>;
}

/**
 * Pulls from a durable consumer and handles messages with bounded concurrency, one at a time per
 * subject (per device): a device's messages are handled in stream order by this replica, and
 * different devices in parallel. Waits while the database gate is closed.
 */
export async function startConsumerLoop(options: ConsumerLoopOptions): Promise<ConsumerLoop> {
  const { js, concurrency, gate, logger, handle } = options;
  const consumer = await js.consumers.get(options.stream, options.durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: concurrency * 4 });
  const maxInFlight = concurrency * 8;
  const chains = new Map<string, Promise<void>>();
  let inFlight = 0;
  let running = 0;
  let stopping = false;
  const wakeups: (() => void)[] = [];
  const wake = () => {
    for (const resume of wakeups.splice(0)) resume();
  };
  const waitForWake = () => new Promise<void>((resolve) => wakeups.push(resolve));

  const run = async (msg: JsMsg): Promise<void> => {
    await gate.whenOpen();
    while (running >= concurrency && !stopping) await waitForWake();
    if (stopping) {
      msg.nak();
      return;
    }
    running++;
    try {
      await handle(msg);
    } finally {
      running--;
      wake();
    }
  };

  const loop = (async () => {
    for await (const msg of messages) {
      while (inFlight >= maxInFlight) await waitForWake();
      inFlight++;
      const key = msg.subject;
      const task = (chains.get(key) ?? Promise.resolve())
        .then(() => run(msg))
        .catch((err: unknown) => {
          logger.error({ err, stream: options.stream }, "message handler threw; nak");
          msg.nak();
        })
        .finally(() => {
          inFlight--;
          if (chains.get(key) === task) chains.delete(key);
          wake();
        });
      chains.set(key, task);
    }
  })().catch((err: unknown) => logger.error({ err, stream: options.stream }, "consumer loop ended with an error"));

  return {
    async stop(graceMs) {
      if (stopping) return;
      stopping = true;
      wake();
      await messages.close();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all([loop, ...chains.values()]), grace]);
      clearTimeout(timer);
    },
  };
}
