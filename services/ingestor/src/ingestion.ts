import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Wire } from "@netledger/contracts";
import type { Database } from "@netledger/db";
import { createSealer, ensureConsumer, getBlobWithin, type Logger, openSnapshotBlobs } from "@netledger/platform";
import { type Kysely, sql } from "kysely";
import type { Registry } from "prom-client";
import { startHousekeeping } from "./blobs/sweep.js";
import type { IngestorConfig } from "./config.js";
import { startConsumerLoop } from "./consumer/consume-loop.js";
import type { IngestContext } from "./consumer/context.js";
import { createDatabaseGate } from "./consumer/database-gate.js";
import { createConfigDiffer } from "./diff/diff-threads.js";
import { createIngestorMetrics } from "./metrics.js";
import { handleFailureMessage } from "./status/failure-handler.js";
import { handleSnapshotBatch } from "./store/snapshot-batch.js";
import { handleSnapshotMessage } from "./store/snapshot-handler.js";

export interface IngestionDeps {
  readonly config: Readonly<IngestorConfig>;
  readonly wire: Wire;
  readonly nc: NatsConnection;
  readonly db: Kysely<Database>;
  readonly logger: Logger;
  readonly registry: Registry;
}

export interface Ingestion {
  /** Stops pulling and drains the messages being ingested (SIGTERM). */
  stop(): Promise<void>;
}

const NANOS_PER_MS = 1_000_000;
const PUBLISH_TIMEOUT_MS = 10_000;
/**
 * Longest wait for a snapshot blob's chunks (a 32 MiB export's blob is ~8 MB). @nats-io/obj would
 * wait forever for chunks deleted while it reads (another replica deleting the blob of a
 * redelivered message after its commit, the orphan sweep); well under the consumer's ack_wait.
 */
const BLOB_READ_TIMEOUT_MS = 30_000;

/**
 * What the message handlers share: durable consumers ensured (with `INGEST_ACK_WAIT_MS`), the
 * snapshot blob bucket opened, metrics registered on `deps.registry`.
 */
export async function createIngestContext(deps: IngestionDeps): Promise<IngestContext> {
  const { config, wire, nc, db, logger } = deps;
  const ack_wait = config.INGEST_ACK_WAIT_MS * NANOS_PER_MS;
  await ensureConsumer(nc, wire.streams.snapshots.name, { ...wire.consumers.ingestorSnapshots, ack_wait });
  await ensureConsumer(nc, wire.streams.events.name, { ...wire.consumers.ingestorEvents, ack_wait });
  const blobs = await openSnapshotBlobs(nc, wire);
  const retry = { baseMs: config.INGEST_RETRY_BASE_MS, maxMs: config.INGEST_RETRY_MAX_MS };
  const differ = createConfigDiffer(config.INGEST_DIFF_THREADS, logger);
  await differ.ready();
  return {
    db,
    js: jetstream(nc),
    wire,
    sealer: createSealer(config.NETLEDGER_SEAL_KEYS),
    blobs: {
      getBlob: (name) => getBlobWithin(blobs, name, BLOB_READ_TIMEOUT_MS),
      putBlob: (meta, data) => blobs.putBlob(meta, data),
      delete: (name) => blobs.delete(name),
      list: () => blobs.list(),
    },
    logger,
    metrics: createIngestorMetrics(deps.registry),
    retry,
    publishTimeoutMs: PUBLISH_TIMEOUT_MS,
    gate: createDatabaseGate({ probe: () => sql`select 1`.execute(db), retry, logger }),
    differ,
  };
}

/**
 * Starts the two durable consumers of the ingestor (snapshots; backup-failed events) and the
 * sweep of orphaned blobs and old receipts. Streams must exist (`ensureStreams`).
 */
export async function startIngestion(deps: IngestionDeps): Promise<Ingestion> {
  const { config, wire, db, logger } = deps;
  const ctx = await createIngestContext(deps);
  const { js, gate } = ctx;
  const loops = await Promise.all([
    startConsumerLoop({
      js,
      stream: wire.streams.snapshots.name,
      durable: wire.consumers.ingestorSnapshots.durable_name,
      concurrency: config.INGEST_CONCURRENCY,
      gate,
      logger,
      handle: (msg) => handleSnapshotMessage(ctx, msg),
      batch: {
        max: config.INGEST_BATCH_MAX,
        lingerMs: config.INGEST_BATCH_LINGER_MS,
        handle: (msgs) => handleSnapshotBatch(ctx, msgs),
      },
    }),
    startConsumerLoop({
      js,
      stream: wire.streams.events.name,
      durable: wire.consumers.ingestorEvents.durable_name,
      concurrency: Math.max(1, Math.ceil(config.INGEST_CONCURRENCY / 4)),
      gate,
      logger,
      handle: (msg) => handleFailureMessage(ctx, msg),
    }),
  ]);
  const { max_age = 0, duplicate_window = 0 } = wire.streams.snapshots;
  const housekeeping = startHousekeeping({
    db,
    blobs: ctx.blobs,
    horizonMs: (max_age + duplicate_window) / NANOS_PER_MS,
    intervalMs: config.INGEST_SWEEP_INTERVAL_MS,
    logger,
  });
  return {
    async stop() {
      housekeeping.stop();
      await Promise.all(loops.map((loop) => loop.stop(config.INGEST_SHUTDOWN_GRACE_MS)));
      await ctx.differ.close();
    },
  };
}
