import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { type ObjectStore, Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { BlobReadTimeoutError } from "./errors.js";
import { objectStoreStreamName } from "./jetstream-setup.js";
import { getBlobWithin } from "./snapshot-blobs.js";
import { natsUrl } from "./test-helpers.js";

describe("getBlobWithin", () => {
  let nc: NatsConnection;
  let store: ObjectStore;
  const bucket = `test_blob_read_${randomBytes(4).toString("hex")}`;

  before(async () => {
    nc = await connect({ servers: await natsUrl() });
    store = await new Objm(nc).create(bucket, { storage: "memory" });
  });
  after(async () => {
    await store.destroy();
    await nc.close();
  });

  /** A blob whose info is still there but whose chunks are gone: what a reader sees of a blob deleted while it reads. */
  async function chunksPurged(name: string): Promise<void> {
    const info = await store.info(name);
    assert.ok(info);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.purge(objectStoreStreamName(bucket), { filter: `$O.${bucket}.C.${info.nuid}` });
  }

  it("reads a blob whole, and gives null for a missing or deleted one", async () => {
    const data = randomBytes(300 * 1024);
    await store.putBlob({ name: "whole" }, data);
    assert.deepEqual(Buffer.from((await getBlobWithin(store, "whole", 10_000))!), data);
    assert.equal(await getBlobWithin(store, "never-stored", 10_000), null);
    await store.delete("whole");
    assert.equal(await getBlobWithin(store, "whole", 10_000), null);
  });

  it("gives up on a blob whose chunks never come: a timeout error while it exists, null once deleted", async () => {
    await store.putBlob({ name: "stalled" }, randomBytes(200 * 1024));
    await chunksPurged("stalled");
    // ObjectStore.getBlob would wait here forever.
    await assert.rejects(getBlobWithin(store, "stalled", 300), BlobReadTimeoutError);

    await store.putBlob({ name: "going" }, randomBytes(200 * 1024));
    await chunksPurged("going");
    const read = getBlobWithin(store, "going", 300);
    await store.delete("going");
    assert.equal(await read, null);
  });
});
