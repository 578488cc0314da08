import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { createWire, type Wire } from "@netledger/contracts";
import { JetStreamSetupError } from "./errors.js";
import { deleteNamespace, ensureConsumer, ensureStreams, objectStoreStreamName } from "./jetstream-setup.js";
import { openSnapshotBlobs } from "./snapshot-blobs.js";
import { natsUrl, uniqueName } from "./test-helpers.js";

async function exists(jsm: JetStreamManager, stream: string): Promise<boolean> {
  return jsm.streams.info(stream).then(
    () => true,
    () => false,
  );
}

function assertSubset(actual: object, wanted: object, what: string): void {
  for (const [key, value] of Object.entries(wanted)) {
    assert.deepEqual((actual as Record<string, unknown>)[key], value, `${what}.${key}`);
  }
}

describe("JetStream setup", () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let wire: Wire;

  before(async () => {
    nc = await connect({ servers: await natsUrl() });
    jsm = await jetstreamManager(nc);
    wire = createWire(uniqueName());
  });
  after(async () => {
    await deleteNamespace(nc, wire);
    await nc.close();
  });

  it("creates every stream with its exact contracts config, concurrently and idempotently", async () => {
    await Promise.all([ensureStreams(nc, wire), ensureStreams(nc, wire), ensureStreams(nc, wire)]);
    await ensureStreams(nc, wire);
    for (const [key, config] of Object.entries(wire.streams)) {
      assertSubset((await jsm.streams.info(config.name)).config, config, key);
    }
  });

  it("updates a stream whose config differs and leaves the others alone", async () => {
    const events = wire.streams.events;
    await jsm.streams.update(events.name, { max_age: events.max_age * 2, max_msg_size: 1_024 });
    const before = (await jsm.streams.info(wire.streams.jobs.name)).created;
    await Promise.all([ensureStreams(nc, wire, ["events"]), ensureStreams(nc, wire, ["events", "jobs"])]);
    assertSubset((await jsm.streams.info(events.name)).config, events, "events");
    assert.equal((await jsm.streams.info(wire.streams.jobs.name)).created, before);
  });

  it("reports a change the server cannot apply as JetStreamSetupError", async () => {
    const changed = {
      ...wire,
      streams: { ...wire.streams, jobs: { ...wire.streams.jobs, storage: "memory" as const } },
    };
    await assert.rejects(
      ensureStreams(nc, changed, ["jobs"]),
      (err: unknown) => err instanceof JetStreamSetupError && err.code === "JETSTREAM_SETUP_FAILED",
    );
  });

  it("adds a durable consumer concurrently, then updates its editable fields", async () => {
    const stream = wire.streams.jobs.name;
    const config = wire.consumers.collectorJobs;
    await Promise.all([1, 2, 3].map(() => ensureConsumer(nc, stream, config)));
    assertSubset((await jsm.consumers.info(stream, config.durable_name)).config, config, "consumer");
    await ensureConsumer(nc, stream, { ...config, max_deliver: 9, ack_wait: config.ack_wait * 2 });
    const updated = (await jsm.consumers.info(stream, config.durable_name)).config;
    assert.equal(updated.max_deliver, 9);
    assert.equal(updated.ack_wait, config.ack_wait * 2);
  });

  it("stores and reads back a 5 MB blob in the snapshot bucket (14-day TTL, file storage)", async () => {
    const [blobs] = await Promise.all([openSnapshotBlobs(nc, wire), openSnapshotBlobs(nc, wire)]);
    const data = randomBytes(5 * 1024 * 1024);
    await blobs.putBlob({ name: "device-1/snapshot-1" }, data);
    const back = await blobs.getBlob("device-1/snapshot-1");
    assert.ok(back && Buffer.from(back).equals(data));
    const status = await blobs.status();
    assert.equal(status.ttl, 14 * 24 * 3_600 * 1e9);
    assert.equal(status.storage, "file");
  });

  it("deleteNamespace removes every stream and the blob bucket, and tolerates a second call", async () => {
    const scratch = createWire(uniqueName());
    await ensureStreams(nc, scratch);
    await openSnapshotBlobs(nc, scratch);
    const names = [
      ...Object.values(scratch.streams).map((s) => s.name),
      objectStoreStreamName(scratch.snapshotBlobBucket),
    ];
    for (const name of names) assert.ok(await exists(jsm, name), name);
    await deleteNamespace(nc, scratch);
    await deleteNamespace(nc, scratch);
    for (const name of names) assert.ok(!(await exists(jsm, name)), `${name} still exists`);
  });
});
