import { parseArgs } from "node:util";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { loadIngestorConfig, startIngestion } from "@netledger/ingestor";
import {
  type FleetDevice,
  publishSnapshotEvent,
  seedFleet,
  snapshotEvent,
  syntheticConfig,
} from "@netledger/ingestor/testing";
import { connectNats, createLogger, createMetricsRegistry } from "@netledger/platform";
import { createWorld } from "@netledger/testkit";
import { sql } from "kysely";
import { describeMachine } from "./machine.js";
import { type BackendCpu, backendCpu, backendCpuUsedMs } from "./postgres-cpu.js";
import { measure } from "./resources.js";

/**
 * Ingest benchmark: snapshot messages already in the stream, ingested by one in-process
 * ingestor as main.ts builds it (durable consumer, open + sha256 check, one transaction per batch
 * of messages: dedup, diff + structured changes when changed, status, audit, receipt; ingested
 * events published; acks). Measures from start until every message is acked.
 */
const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "5000" },
    devices: { type: "string", default: "500" },
    "config-bytes": { type: "string", default: "25600" },
    "changed-pct": { type: "string", default: "10" },
    concurrency: { type: "string", default: "8" },
    /** `INGEST_BATCH_MAX`; the ingestor's default when not given. */
    "batch-max": { type: "string" },
    /** `INGEST_DIFF_THREADS`; the ingestor's default when not given. */
    "diff-threads": { type: "string" },
  },
});
const messages = Number(values.messages);
const deviceCount = Number(values.devices);
const configBytes = Number(values["config-bytes"]);
const changedPct = Number(values["changed-pct"]);
const concurrency = Number(values.concurrency);
const batchMax = values["batch-max"];
const diffThreads = values["diff-threads"];

const log = (line: string) => process.stderr.write(`${line}\n`);
const world = await createWorld({ redis: false });
try {
  const devices = await seedFleet(world.db, deviceCount);
  const js = jetstream(world.nc);
  const base = syntheticConfig({ bytes: configBytes });
  const variant = new Map<string, number>();
  const publish = async (device: FleetDevice, v: number) =>
    publishSnapshotEvent(
      js,
      world.wire,
      await snapshotEvent(
        world.sealer,
        world.wire,
        device,
        v === 0 ? base : syntheticConfig({ bytes: configBytes, variant: v }),
      ),
    );

  log(`warm-up: first version of ${deviceCount} devices`);
  for (const device of devices) await publish(device, 0);
  const warm = await runIngestion(deviceCount);
  log(`warm-up ingested in ${warm.seconds.toFixed(1)} s`);

  log(`publishing ${messages} messages of ${configBytes} bytes, ${changedPct} % changed`);
  let changed = 0;
  for (let i = 0; i < messages; i++) {
    const device = devices[i % devices.length]!;
    let v = variant.get(device.deviceId) ?? 0;
    if ((i * 7919) % 100 < changedPct) {
      v += 1;
      changed++;
      variant.set(device.deviceId, v);
    }
    await publish(device, v);
  }
  const run = await runIngestion(messages);
  const stored = await sql<{ n: number }>`select count(*)::int as n from config_snapshots`.execute(world.db);
  const diffs = await sql<{ n: number }>`select count(*)::int as n from config_diffs`.execute(world.db);
  const changes = await sql<{ n: number }>`select count(*)::int as n from config_changes`.execute(world.db);
  const machine = describeMachine();
  const report = {
    messages,
    changedMessages: changed,
    configBytes,
    devices: deviceCount,
    concurrency,
    seconds: Number(run.seconds.toFixed(2)),
    snapshotsPerSecond: Math.round(messages / run.seconds),
    cpuSeconds: Number(run.cpuSeconds.toFixed(2)),
    cpuMsPerSnapshot: Number(((run.cpuSeconds * 1000) / messages).toFixed(2)),
    /** This run's PostgreSQL backends (its own database), when PostgreSQL runs on this host. */
    postgresCpuMsPerSnapshot: run.postgresCpuMs === null ? null : Number((run.postgresCpuMs / messages).toFixed(2)),
    /** Busy share of all cores over the run: this process, PostgreSQL, NATS and anything else. */
    machineBusyPercent: Math.round(run.use.machineBusyPercent),
    eventLoopBusyPercent: Math.round(run.use.eventLoopBusyPercent),
    rows: { snapshots: stored.rows[0]?.n, diffs: diffs.rows[0]?.n, changes: changes.rows[0]?.n },
    machine: { cores: machine.cores, cpu: machine.cpuModel, node: machine.node, load: machine.loadAverageAtStart },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  log(
    `command: npm run -w @netledger/bench ingest -- --messages ${messages} --devices ${deviceCount} --config-bytes ${configBytes} --changed-pct ${changedPct} --concurrency ${concurrency}${batchMax === undefined ? "" : ` --batch-max ${batchMax}`}${diffThreads === undefined ? "" : ` --diff-threads ${diffThreads}`}`,
  );
} finally {
  await world.close();
}

/**
 * Starts an ingestor on the messages already published and waits until all are acked. Measured
 * from the moment it has started (consumers created, its diff thread loaded: under tsx that thread
 * compiles its modules for ~1-2 s, a start-up cost, not throughput) to the end of its drain.
 */
async function runIngestion(expected: number) {
  const jsm = await jetstreamManager(world.nc);
  const config = loadIngestorConfig({
    ...world.env(),
    OPS_PORT: "0",
    INGEST_CONCURRENCY: String(concurrency),
    ...(batchMax !== undefined && { INGEST_BATCH_MAX: batchMax }),
    ...(diffThreads !== undefined && { INGEST_DIFF_THREADS: diffThreads }),
  });
  const logger = createLogger({ name: "ingestor", level: "warn" });
  // Its own connection, made as main.ts makes it.
  const nc = await connectNats({ servers: config.NATS_URL, name: "ingestor", logger, asyncTraces: false });
  const ingestion = await startIngestion({
    config,
    wire: world.wire,
    nc,
    db: world.db,
    logger,
    registry: createMetricsRegistry("ingestor"),
  });
  const pgBefore = await backendCpu(world.db);
  let pgAfter: BackendCpu | null = null;
  const { use } = await measure(async () => {
    for (;;) {
      const info = await jsm.consumers.info(
        world.wire.streams.snapshots.name,
        world.wire.consumers.ingestorSnapshots.durable_name,
      );
      if (info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq >= expected) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    pgAfter = await backendCpu(world.db);
    await ingestion.stop();
    await nc.drain();
  });
  return {
    seconds: use.wallMs / 1000,
    cpuSeconds: use.cpuMs / 1000,
    postgresCpuMs: backendCpuUsedMs(pgBefore, pgAfter),
    use,
  };
}
