import { jetstream } from "@nats-io/jetstream";
import type { Database } from "@netledger/db";
import {
  connectNats,
  createDatabase,
  createLogger,
  createMetricsRegistry,
  ensureStreams,
  onShutdown,
  startOpsServer,
  waitForDatabase,
  wireFromConfig,
} from "@netledger/platform";
import { sql } from "kysely";
import { loadIngestorConfig } from "./config.js";
import { startIngestion } from "./ingestion.js";
import { createIngestorLeaderDuties } from "./scheduler/start-leader-duties.js";

// Wiring only.
const config = loadIngestorConfig();
const logger = createLogger({ name: "ingestor", level: config.LOG_LEVEL });
const registry = createMetricsRegistry("ingestor");
const wire = wireFromConfig(config);

// Publishes an ingested event per message: no stack captured in advance for each (see connectNats).
const nc = await connectNats({ servers: config.NATS_URL, name: "ingestor", logger, asyncTraces: false });
await ensureStreams(nc, wire);
const db = createDatabase<Database>({
  url: config.DATABASE_URL,
  max: config.INGEST_CONCURRENCY + 2,
  logger,
  applicationName: "netledger-ingestor",
});
await waitForDatabase(db, { attempts: 10, logger });
const ingestion = await startIngestion({ config, wire, nc, db, logger, registry });

const ops = await startOpsServer({
  port: config.OPS_PORT,
  registry,
  logger,
  checks: {
    nats: () => !nc.isClosed() && !nc.isDraining(),
    postgres: async () => {
      await sql`select 1`.execute(db);
      return true;
    },
  },
});
const leaderDuties = config.SCHEDULER_ENABLED
  ? createIngestorLeaderDuties({ config, db, js: jetstream(nc), wire, logger, registry })
  : undefined;
leaderDuties?.start();
logger.info({ opsPort: ops.port, namespace: wire.namespace }, "ingestor started");

onShutdown({
  logger,
  timeoutMs: config.INGEST_SHUTDOWN_GRACE_MS + 5_000,
  steps: [
    { name: "stop scheduler and retention", run: async () => leaderDuties?.stop() },
    { name: "stop ingesting", run: () => ingestion.stop() },
    { name: "close ops server", run: () => ops.close() },
    { name: "drain NATS", run: () => nc.drain() },
    { name: "close database pool", run: () => db.destroy() },
  ],
});
