import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** Which durable consumer a series is about. */
export type ConsumerName = "snapshots" | "events";

/** Why a message went to the dead-letter subject (a small closed set, safe as a label). */
export type DeadLetterReason = "schema" | "subject" | "sha256" | "content" | "unknown_device";

/** What became of one delivered message. */
export type MessageOutcome =
  | "stored"
  | "unchanged"
  | "duplicate"
  | "failure_recorded"
  | "rejected"
  | "dead_lettered"
  | "retried";

/**
 * Ingestor metrics. Labels are closed sets (consumer, outcome, reason, code): never tenant or
 * device ids, so cardinality stays bounded and nothing secret reaches a label.
 */
export interface IngestorMetrics {
  readonly messages: Counter<"consumer" | "outcome">;
  readonly duplicates: Counter<"consumer">;
  readonly deadLetters: Counter<"consumer" | "reason">;
  readonly pending: Gauge<"consumer">;
  readonly transactionSeconds: Histogram<"consumer">;
  /** Snapshot messages handed over per batch (group commit at work: see consume-loop.ts). */
  readonly batchMessages: Histogram;
  readonly devicesBlocked: Counter<"code">;
}

export function createIngestorMetrics(registry: Registry): IngestorMetrics {
  const registers = [registry];
  return {
    messages: new Counter({
      name: "netledger_ingestor_messages_total",
      help: "Messages handled, by consumer and outcome (stored, unchanged, suspected, duplicate, failure_recorded, rejected, dead_lettered, retried).",
      labelNames: ["consumer", "outcome"],
      registers,
    }),
    duplicates: new Counter({
      name: "netledger_ingestor_duplicates_total",
      help: "Redelivered messages that were already ingested (nothing changed).",
      labelNames: ["consumer"],
      registers,
    }),
    deadLetters: new Counter({
      name: "netledger_ingestor_dead_letters_total",
      help: "Messages sent to the ingest dead-letter subject, by reason.",
      labelNames: ["consumer", "reason"],
      registers,
    }),
    pending: new Gauge({
      name: "netledger_ingestor_consumer_pending_messages",
      help: "Consumer lag: messages in the stream not yet delivered to this durable consumer, as of the last delivery.",
      labelNames: ["consumer"],
      registers,
    }),
    transactionSeconds: new Histogram({
      name: "netledger_ingestor_transaction_seconds",
      help: "Duration of one message's database transaction (retries included).",
      labelNames: ["consumer"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    batchMessages: new Histogram({
      name: "netledger_ingestor_batch_messages",
      help: "Snapshot messages handed over per batch (INGEST_BATCH_MAX at most; INGEST_BATCH_LINGER_MS lets trickling ones share).",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    }),
    devicesBlocked: new Counter({
      name: "netledger_ingestor_devices_blocked_total",
      help: "Devices this replica blocked until an operator acts, by error code.",
      labelNames: ["code"],
      registers,
    }),
  };
}
