import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { databaseNameOf } from "@netledger/db";
import { sql } from "kysely";
import { createWorld, TEST_STREAM_MAX_BYTES, type World } from "./index.js";

describe("createWorld", () => {
  let a: World;
  let b: World;
  before(async () => {
    [a, b] = await Promise.all([createWorld(), createWorld()]);
  });
  after(() => Promise.all([a?.close(), b?.close()]));

  it("gives each world its own names", () => {
    assert.notEqual(a.id, b.id);
    assert.equal(a.namespace, `t${a.id}`);
    assert.equal(a.keyPrefix, `nl:${a.id}:`);
    assert.equal(databaseNameOf(a.databaseUrl), `nl_test_${a.id}`);
    assert.notEqual(a.wire.streams.snapshots.name, b.wire.streams.snapshots.name);
    assert.notEqual(a.sealKeys, b.sealKeys);
    assert.throws(() => b.sealer.open(a.sealer.seal(Buffer.from("x"))), { code: "SEAL_UNKNOWN_KEY" });
  });

  it("keeps database rows, stream messages and redis keys apart", async () => {
    await a.db.insertInto("tenants").values({ name: "only-in-a" }).execute();
    assert.deepEqual(
      (await a.db.selectFrom("tenants").select("name").execute()).map((t) => t.name),
      ["only-in-a"],
    );
    assert.equal((await b.db.selectFrom("tenants").select("id").execute()).length, 0);

    await jetstream(a.nc).publish(a.wire.subjects.snapshot("t1", "d1"), "payload");
    const messages = async (world: World) =>
      (await (await jetstreamManager(world.nc)).streams.info(world.wire.streams.snapshots.name)).state.messages;
    assert.equal(await messages(a), 1);
    assert.equal(await messages(b), 0);

    await a.redis.set(`${a.keyPrefix}lock`, "a");
    assert.equal(await b.redis.get(`${b.keyPrefix}lock`), null);
    assert.equal(await a.redis.get(`${a.keyPrefix}lock`), "a");
  });

  it("env() carries everything a service needs to join the world", () => {
    assert.deepEqual(b.env(), {
      NATS_URL: b.natsUrl,
      REDIS_URL: b.redisUrl,
      REDIS_LOCK_URLS: b.redisUrl,
      REDIS_KEY_PREFIX: b.keyPrefix,
      DATABASE_URL: b.databaseUrl,
      NETLEDGER_NAMESPACE: b.namespace,
      NETLEDGER_SNAPSHOTS_MAX_BYTES: String(TEST_STREAM_MAX_BYTES),
      NETLEDGER_EVENTS_MAX_BYTES: String(TEST_STREAM_MAX_BYTES),
      NETLEDGER_SEAL_KEYS: b.sealKeys,
      LOG_LEVEL: "warn",
    });
  });

  it("close() removes the database, the streams and the keys, and only those", async () => {
    const other = await createWorld();
    await other.redis.set(`${other.keyPrefix}a`, "1");
    await other.redis.set(`${other.keyPrefix}nested:b`, "2");
    await b.redis.set(`${b.keyPrefix}survivor`, "3");
    await jetstream(other.nc).publish(other.wire.subjects.backupJobs, "job");
    const jsm = await jetstreamManager(b.nc);
    const streams = Object.values(other.wire.streams).map((s) => s.name);
    for (const name of streams) assert.ok(await jsm.streams.info(name));

    await other.close();
    await other.close(); // idempotent

    const databases = await sql<{ datname: string }>`select datname from pg_database where datname = ${databaseNameOf(
      other.databaseUrl,
    )}`.execute(b.db);
    assert.equal(databases.rows.length, 0, "database dropped");
    for (const name of streams) {
      await assert.rejects(
        jsm.streams.info(name),
        (err) => err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound,
      );
    }
    assert.deepEqual(await b.redis.keys(`${other.keyPrefix}*`), []);
    assert.equal(await b.redis.get(`${b.keyPrefix}survivor`), "3");
    assert.ok(other.nc.isClosed());
  });

  it("leaves out disabled parts and says so when they are used", async () => {
    const world = await createWorld({ nats: false, redis: false });
    try {
      assert.throws(() => world.nc, { code: "TESTKIT_WORLD_PART_DISABLED", message: /nats: false/ });
      assert.throws(() => world.redis, { code: "TESTKIT_WORLD_PART_DISABLED" });
      assert.equal(world.env().NATS_URL, undefined);
      assert.equal(world.env().REDIS_URL, undefined);
      assert.ok(world.env().DATABASE_URL);
      assert.equal((await world.db.selectFrom("devices").select("id").execute()).length, 0);
    } finally {
      await world.close();
    }
  });
});
