import type { JetStreamClient } from "@nats-io/jetstream";
import type { Wire } from "@netledger/contracts";
import type { Database } from "@netledger/db";
import type { Logger, Sealer, SnapshotBlobStore } from "@netledger/platform";
import type { Kysely } from "kysely";
import type { SweepableBlobStore } from "../blobs/sweep.js";
import type { ConfigDiffer } from "../diff/diff-threads.js";
import type { IngestorMetrics } from "../metrics.js";
import type { DatabaseGate } from "./database-gate.js";

/** The object store as the ingestor uses it: read a snapshot's blob, delete it once stored. */
export interface IngestBlobStore extends SnapshotBlobStore, SweepableBlobStore {}

/** Back-off of nak'ed messages: base, 2×base, ... up to max, by delivery count. */
export interface RetryPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** What the message handlers share; built once in main.ts. */
export interface IngestContext {
  readonly db: Kysely<Database>;
  readonly js: JetStreamClient;
  readonly wire: Wire;
  readonly sealer: Sealer;
  readonly blobs: IngestBlobStore;
  readonly logger: Logger;
  readonly metrics: IngestorMetrics;
  readonly retry: RetryPolicy;
  readonly publishTimeoutMs: number;
  readonly gate: DatabaseGate;
  /** Diffs of new versions ingested in batches (worker threads). */
  readonly differ: ConfigDiffer;
}
