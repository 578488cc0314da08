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
import { createLogger, createMetricsRegistry } from "@netledger/platform";
import { createWorld } from "@netledger/testkit";
import { sql } from "kysely";
import { describeMachine } from "./machine.js";

/**
 * Ingest benchmark: snapshot messages already in the stream, ingested by one in-process
 * ingestor as main.ts builds it (durable consumer, open + sha256 check, one transaction per
 * message: dedup, diff + structured changes when changed, status, audit, receipt; ingested event
 * published; ack). Measures from start until every message is acked.
 */
const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "5000" },
    devices: { type: "string", default: "500" },
    "config-bytes": { type: "string", default: "25600" },
    "changed-pct": { type: "string", default: "10" },
    concurrency: { type: "string", default: "8" },
  },
});
const messages = Number(values.messages);
const deviceCount = Number(values.devices);
const configBytes = Number(values["config-bytes"]);
const changedPct = Number(values["changed-pct"]);
const concurrency = Number(values.concurrency);

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
    rows: { snapshots: stored.rows[0]?.n, diffs: diffs.rows[0]?.n, changes: changes.rows[0]?.n },
    machine: { cores: machine.cores, cpu: machine.cpuModel, node: machine.node, load: machine.loadAverageAtStart },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  log(
    `command: npm run -w @netledger/bench ingest -- --messages ${messages} --devices ${deviceCount} --config-bytes ${configBytes} --changed-pct ${changedPct} --concurrency ${concurrency}`,
  );
} finally {
  await world.close();
}

async function runIngestion(expected: number): Promise<{ seconds: number; cpuSeconds: number }> {
  const jsm = await jetstreamManager(world.nc);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const ingestion = await startIngestion({
    config: loadIngestorConfig({ ...world.env(), OPS_PORT: "0", INGEST_CONCURRENCY: String(concurrency) }),
    wire: world.wire,
    nc: world.nc,
    db: world.db,
    logger: createLogger({ name: "ingestor", level: "warn" }),
    registry: createMetricsRegistry("ingestor"),
  });
  for (;;) {
    const info = await jsm.consumers.info(
      world.wire.streams.snapshots.name,
      world.wire.consumers.ingestorSnapshots.durable_name,
    );
    if (info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  await ingestion.stop();
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}
