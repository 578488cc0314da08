import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type Database, ensureDatabase, migrateToLatest, withDatabaseName } from "@netledger/db";
import { createDatabase, createLogger, createMetricsRegistry } from "@netledger/platform";
import { createWorld, freePort, startPostgres, startServiceProcess, type World } from "@netledger/testkit";
import type { Kysely } from "kysely";
import { streamMessages, waitFor, worldConfig } from "../test/harness.js";
import { type FleetDevice, publishSnapshotEvent, seedFleet, snapshotEvent, syntheticConfig } from "../test/messages.js";
import { startConsumerLoop } from "./consumer/consume-loop.js";
import { createIngestContext } from "./ingestion.js";
import { handleSnapshotBatch } from "./store/snapshot-batch.js";
import { handleSnapshotMessage } from "./store/snapshot-handler.js";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const logger = createLogger({ name: "ingestor-test", level: "warn" });

/** A planned message: which device, which config variant, its msg id; `copy` marks a re-publication. */
interface Planned {
  readonly device: FleetDevice;
  readonly variant: number;
  readonly msgId: string;
  readonly copy: boolean;
}

/**
 * `count` messages over `devices`; about 10 % are copies of earlier messages (same msg id, past
 * JetStream's dedup, as a redelivery), the rest pick their config by `variantOf`.
 */
function plan(devices: readonly FleetDevice[], count: number, variantOf: (i: number) => number): Planned[] {
  const out: Planned[] = [];
  for (let i = 0; out.length < count; i++) {
    if (i % 10 === 9 && out.length > 0) {
      const earlier = out[(i * 7919) % out.length]!;
      out.push({ ...earlier, copy: true });
      continue;
    }
    out.push({
      device: devices[i % devices.length]!,
      variant: variantOf(i),
      msgId: `job:${randomUUID()}`,
      copy: false,
    });
  }
  return out;
}

async function publishPlan(world: World, planned: readonly Planned[]): Promise<void> {
  const js = jetstream(world.nc);
  for (const [i, p] of planned.entries()) {
    const event = await snapshotEvent(world.sealer, world.wire, p.device, syntheticConfig({ variant: p.variant }), {
      msgId: p.msgId,
      jobId: p.msgId,
    });
    await publishSnapshotEvent(js, world.wire, event, p.copy ? `${p.msgId}#copy${i}` : p.msgId);
  }
}

async function consumerIdle(world: World): Promise<boolean> {
  const jsm = await jetstreamManager(world.nc);
  const info = await jsm.consumers.info(
    world.wire.streams.snapshots.name,
    world.wire.consumers.ingestorSnapshots.durable_name,
  );
  return info.num_pending === 0 && info.num_ack_pending === 0;
}

/** Rows every test checks: each distinct message once, versions numbered without gaps. */
async function assertExactlyOnce(db: Kysely<Database>, world: World, planned: readonly Planned[], stored: number) {
  const distinct = new Set(planned.map((p) => p.msgId));
  const receipts = await db.selectFrom("ingest_receipts").select("msg_id").execute();
  assert.equal(receipts.length, distinct.size, "one receipt per distinct message");
  const snapshots = await db.selectFrom("config_snapshots").select(["device_id", "seq", "source_msg_id"]).execute();
  assert.equal(snapshots.length, stored, "stored versions");
  assert.equal(new Set(snapshots.map((s) => s.source_msg_id)).size, snapshots.length, "no message stored twice");
  const byDevice = new Map<string, number[]>();
  for (const s of snapshots) byDevice.set(s.device_id, [...(byDevice.get(s.device_id) ?? []), s.seq]);
  for (const seqs of byDevice.values()) {
    assert.deepEqual(
      seqs.sort((a, b) => a - b),
      seqs.map((_, i) => i + 1),
      "versions 1..n",
    );
  }
  const outcomes = await db.selectFrom("job_outcomes").select("job_id").execute();
  assert.equal(outcomes.length, distinct.size, "one job outcome per job");
  const created = await db
    .selectFrom("audit_events")
    .select("id")
    .where("action", "=", "config_snapshot_created")
    .execute();
  assert.equal(created.length, stored, "one creation audit per version");
  const announced = await streamMessages(world.nc, world.wire, world.wire.subjects.ingestedAll);
  assert.equal(announced.length, distinct.size, "one ingested event per distinct message");
}

describe("ingestion under faults", { timeout: 600_000 }, () => {
  let world: World;
  before(async () => {
    world = await createWorld({ redis: false });
  });
  after(() => world?.close());

  it("1,000 messages with copies and lost acks give exactly the expected rows", () => copiesAndLostAcks(world, 1));

  it("the same, ingested in batches of up to 64 per transaction", async () => {
    const batchWorld = await createWorld({ redis: false });
    try {
      await copiesAndLostAcks(batchWorld, 64);
    } finally {
      await batchWorld.close();
    }
  });

  it("an ingestor killed with SIGKILL mid-run and restarted loses and doubles nothing", async () => {
    const killWorld = await createWorld({ redis: false });
    try {
      const devices = await seedFleet(killWorld.db, 30);
      // A new config in every message: any redelivery order stores the same rows.
      const planned = plan(devices, 600, (i) => i + 1);
      const env = { ...process.env, ...killWorld.env(), INGEST_ACK_WAIT_MS: "2000", INGEST_RETRY_BASE_MS: "100" };
      const port = await freePort();
      const first = startServiceProcess(MAIN, { ...env, OPS_PORT: String(port) });
      await first.waitForHttp(port, "/readyz", 200);
      const publishing = publishPlan(killWorld, planned);
      await waitFor("a third ingested", async () => {
        const rows = await killWorld.db.selectFrom("ingest_receipts").select("msg_id").execute();
        return rows.length >= 200;
      });
      first.child.kill("SIGKILL");
      await first.exited;
      await publishing;
      const second = startServiceProcess(MAIN, { ...env, OPS_PORT: String(port) });
      try {
        await waitFor("every message settled", () => consumerIdle(killWorld), 240_000);
        await assertExactlyOnce(killWorld.db, killWorld, planned, new Set(planned.map((p) => p.msgId)).size);
        second.child.kill("SIGTERM");
        assert.deepEqual(await second.exited, { code: 0, signal: null }, second.output());
      } finally {
        second.child.kill("SIGKILL");
      }
    } finally {
      await killWorld.close();
    }
  });

  it("a private PostgreSQL stopped mid-run and started again: nothing lost, ingestion resumes by itself", async () => {
    const pgWorld = await createWorld({ redis: false, database: false });
    const pg = await startPostgres();
    const databaseUrl = withDatabaseName(pg.url, "netledger_outage");
    await ensureDatabase(databaseUrl);
    const db = createDatabase<Database>({ url: databaseUrl, max: 3, logger, applicationName: "outage-test" });
    try {
      await migrateToLatest(db);
      const devices = await seedFleet(db, 20);
      const planned = plan(devices, 400, (i) => i + 1);
      const port = await freePort();
      const env = {
        ...process.env,
        ...pgWorld.env(),
        DATABASE_URL: databaseUrl,
        OPS_PORT: String(port),
        INGEST_RETRY_BASE_MS: "200",
        INGEST_RETRY_MAX_MS: "1000",
      };
      const ingestor = startServiceProcess(MAIN, env);
      try {
        await ingestor.waitForHttp(port, "/readyz", 200);
        const publishing = publishPlan(pgWorld, planned);
        await waitFor("some ingested", async () => {
          const rows = await db.selectFrom("ingest_receipts").select("msg_id").execute();
          return rows.length >= 100;
        });
        await pg.stop();
        await ingestor.waitForHttp(port, "/readyz", 503);
        await publishing;
        await pg.start();
        await ingestor.waitForHttp(port, "/readyz", 200);
        await waitFor("every message settled", () => consumerIdle(pgWorld), 240_000);
        await assertExactlyOnce(db, pgWorld, planned, new Set(planned.map((p) => p.msgId)).size);
        ingestor.child.kill("SIGTERM");
        assert.deepEqual(await ingestor.exited, { code: 0, signal: null }, ingestor.output());
      } finally {
        ingestor.child.kill("SIGKILL");
      }
    } finally {
      await db.destroy();
      await pg.stop();
      await pgWorld.close();
    }
  });
});

/** Versions stored when each device's distinct messages are ingested in publish order. */
function expectedVersions(planned: readonly Planned[]): number {
  const seen = new Set<string>();
  const latest = new Map<string, number>();
  let stored = 0;
  for (const p of planned) {
    if (seen.has(p.msgId)) continue;
    seen.add(p.msgId);
    if (latest.get(p.device.deviceId) !== p.variant) stored++;
    latest.set(p.device.deviceId, p.variant);
  }
  return stored;
}

/**
 * 1,000 messages over 40 devices, copies and lost acks (as crashes right after commit), ingested
 * with batches of up to `batchMax` messages: exactly the expected rows.
 */
async function copiesAndLostAcks(world: World, batchMax: number): Promise<void> {
  const devices = await seedFleet(world.db, 40);
  // Variants repeat (unchanged) and revert (A, B, A stores three versions).
  const planned = plan(devices, 1_000, (i) => [0, 0, 1, 1, 0, 2][Math.floor(i / devices.length) % 6]!);
  const expectedStored = expectedVersions(planned);
  const config = worldConfig(world, { INGEST_ACK_WAIT_MS: "1500" });
  const ctx = await createIngestContext({
    config,
    wire: world.wire,
    nc: world.nc,
    db: world.db,
    logger,
    registry: createMetricsRegistry("ingestor"),
  });
  // Every 7th first delivery commits but loses its ack (as a crash right after commit would):
  // JetStream delivers it again after ack_wait.
  let seen = 0;
  // Batches form from messages already waiting: publish them all first.
  if (batchMax > 1) await publishPlan(world, planned);
  const loseAck = (msg: JsMsg): JsMsg =>
    msg.info.deliveryCount === 1 && ++seen % 7 === 0
      ? new Proxy(msg, { get: (target, prop) => (prop === "ack" ? () => {} : Reflect.get(target, prop, target)) })
      : msg;
  const loop = await startConsumerLoop({
    js: ctx.js,
    stream: world.wire.streams.snapshots.name,
    durable: world.wire.consumers.ingestorSnapshots.durable_name,
    concurrency: 8,
    gate: ctx.gate,
    logger,
    handle: (msg) => handleSnapshotMessage(ctx, loseAck(msg)),
    batch: { max: batchMax, handle: (msgs) => handleSnapshotBatch(ctx, msgs.map(loseAck)) },
  });
  try {
    if (batchMax === 1) await publishPlan(world, planned);
    await waitFor("every message settled", () => consumerIdle(world), 240_000);
    assert.ok(seen >= 1000);
    await assertExactlyOnce(world.db, world, planned, expectedStored);
    const unchanged = await world.db
      .selectFrom("job_outcomes")
      .select("job_id")
      .where("outcome", "=", "unchanged")
      .execute();
    assert.equal(unchanged.length, new Set(planned.map((p) => p.msgId)).size - expectedStored);
  } finally {
    await loop.stop(5_000);
  }
}
