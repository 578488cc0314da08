import { createWire } from "@netledger/contracts";
import { env, parseConfig, wireConfigShape } from "@netledger/platform";
import { z } from "zod";
import { retentionConfigShape } from "./retention/retention-config.js";
import { schedulerConfigShape } from "./scheduler/scheduler-config.js";

const defaultAckWaitMs = createWire().consumers.ingestorSnapshots.ack_wait / 1_000_000;

/** Ingestor settings, read once at start-up; a bad or missing key stops the process with a list. */
export const ingestorConfigSchema = z
  .object({
    NATS_URL: env.natsUrl(),
    DATABASE_URL: env.databaseUrl(),
    ...wireConfigShape,
    NETLEDGER_SEAL_KEYS: env.sealKeys(),
    LOG_LEVEL: env.logLevel(),
    /** /healthz, /readyz and /metrics. */
    OPS_PORT: env.port(9103),
    // Ingestion (store/, status/, consumer/).
    /** Transactions at once (each up to INGEST_BATCH_MAX snapshot messages); the pool gets this many connections plus two. */
    INGEST_CONCURRENCY: env.positiveInt(8),
    /** Snapshot messages ingested in one transaction, from those already received (1: one by one). */
    INGEST_BATCH_MAX: env.positiveInt(64),
    /** While a batch runs, how long a partial batch waits for more messages before starting beside it (0: never). */
    INGEST_BATCH_LINGER_MS: env.durationMs(20),
    /** Worker threads computing the diffs of new versions ingested in batches (0: in the main thread). */
    INGEST_DIFF_THREADS: env.intInRange(1, 0, 8),
    /** ack_wait of the ingestor's durable consumers: how long a message held by a crashed replica waits to come back. */
    INGEST_ACK_WAIT_MS: env.durationMs(defaultAckWaitMs),
    /** Back-off of a message that could not be ingested yet (database or NATS outage): base, doubling to max. */
    INGEST_RETRY_BASE_MS: env.durationMs(1_000),
    INGEST_RETRY_MAX_MS: env.durationMs(30_000),
    /** How often orphaned snapshot blobs and old ingest receipts are swept. */
    INGEST_SWEEP_INTERVAL_MS: env.durationMs(3_600_000),
    /** Time messages being ingested get to finish on SIGTERM. */
    INGEST_SHUTDOWN_GRACE_MS: env.durationMs(15_000),
    // Scheduler and retention (scheduler/, retention/), run by the leader only.
    ...schedulerConfigShape,
    ...retentionConfigShape,
  })
  .refine((c) => c.INGEST_BATCH_LINGER_MS * 4 <= c.INGEST_ACK_WAIT_MS, {
    // A message waiting to fill a batch must start long before the server redelivers it.
    path: ["INGEST_BATCH_LINGER_MS"],
    message: "must be at most a quarter of INGEST_ACK_WAIT_MS",
  });

export type IngestorConfig = z.infer<typeof ingestorConfigSchema>;

export function loadIngestorConfig(source?: NodeJS.ProcessEnv): Readonly<IngestorConfig> {
  return parseConfig(ingestorConfigSchema, source);
}
