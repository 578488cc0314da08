import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { type JsMsg, jetstream } from "@nats-io/jetstream";
import { createLogger, ensureConsumer } from "@netledger/platform";
import { createWorld, type World } from "@netledger/testkit";
import { waitFor } from "../../test/harness.js";
import { startConsumerLoop } from "./consume-loop.js";
import { createDatabaseGate } from "./database-gate.js";

const logger = createLogger({ name: "consume-loop-test", level: "silent" });

describe("consume loop in batch mode", { timeout: 60_000 }, () => {
  let world: World;
  before(async () => {
    world = await createWorld({ redis: false, database: false });
  });
  after(() => world?.close());

  it("hands over waiting messages in stream order, one per subject, never a subject in two running batches", async () => {
    const js = jetstream(world.nc);
    const stream = world.wire.streams.snapshots.name;
    const durable = "consume-loop-test";
    await ensureConsumer(world.nc, stream, { ...world.wire.consumers.ingestorSnapshots, durable_name: durable });
    const tenant = randomUUID();
    const subjects = Array.from({ length: 4 }, () => world.wire.subjects.snapshot(tenant, randomUUID()));
    // Device a: 4 messages, b: 3, c: 2, d: 1, interleaved as a fleet publishes them.
    const order = [0, 1, 2, 3, 0, 1, 2, 0, 1, 0];
    for (const [i, s] of order.entries()) await js.publish(subjects[s]!, new TextEncoder().encode(`m${i}`));

    const batches: string[][] = [];
    const running = new Set<string>();
    let overlap = false;
    let settled = 0;
    const loop = await startConsumerLoop({
      js,
      stream,
      durable,
      concurrency: 2,
      gate: createDatabaseGate({ probe: async () => {}, retry: { baseMs: 10, maxMs: 10 }, logger }),
      logger,
      handle: async () => assert.fail("batch mode hands over batches"),
      batch: {
        max: 3,
        handle: async (msgs: readonly JsMsg[]) => {
          batches.push(msgs.map((m) => new TextDecoder().decode(m.data)));
          for (const m of msgs) {
            if (running.has(m.subject)) overlap = true;
            running.add(m.subject);
          }
          await delay(30);
          for (const m of msgs) {
            running.delete(m.subject);
            m.ack();
            settled++;
          }
        },
      },
    });
    try {
      await waitFor("every message handled", () => settled === order.length, 20_000);
    } finally {
      await loop.stop(1_000);
    }

    assert.equal(overlap, false, "no subject in two running batches");
    for (const batch of batches) {
      assert.ok(batch.length <= 3);
      const devices = batch.map((m) => order[Number(m.slice(1))]);
      assert.equal(new Set(devices).size, devices.length, `one message per subject in ${batch.join(",")}`);
    }
    const handled = batches.flat();
    assert.deepEqual([...handled].sort(), order.map((_, i) => `m${i}`).sort(), "each message once");
    for (const s of [0, 1, 2, 3]) {
      const ofSubject = handled.map((m) => Number(m.slice(1))).filter((i) => order[i] === s);
      assert.deepEqual(
        ofSubject,
        [...ofSubject].sort((x, y) => x - y),
        `messages of subject ${s} in stream order`,
      );
    }
    assert.ok(
      batches.some((batch) => batch.length > 1),
      "messages already waiting share a batch",
    );
  });
});

describe("consume loop group commit (batch lingerMs)", { timeout: 60_000 }, () => {
  let world: World;
  before(async () => {
    world = await createWorld({ redis: false, database: false });
  });
  after(() => world?.close());

  /** A loop whose batches are recorded and held until released, one release per started batch. */
  async function heldLoop(options: { max: number; lingerMs: number; durable: string }) {
    const js = jetstream(world.nc);
    const stream = world.wire.streams.snapshots.name;
    // Its own tenant's subjects only: the stream also holds the other tests' snapshots.
    const tenant = randomUUID();
    await ensureConsumer(world.nc, stream, {
      ...world.wire.consumers.ingestorSnapshots,
      durable_name: options.durable,
      filter_subject: world.wire.subjects.snapshot(tenant, randomUUID()).replace(/[^.]+$/, "*"),
    });
    const publish = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++)
        await js.publish(world.wire.subjects.snapshot(tenant, randomUUID()), new Uint8Array(1));
    };
    const batches: number[] = [];
    const releases: (() => void)[] = [];
    const loop = await startConsumerLoop({
      js,
      stream,
      durable: options.durable,
      concurrency: 4,
      gate: createDatabaseGate({ probe: async () => {}, retry: { baseMs: 10, maxMs: 10 }, logger }),
      logger,
      handle: async () => assert.fail("batch mode hands over batches"),
      batch: {
        max: options.max,
        lingerMs: options.lingerMs,
        handle: async (msgs: readonly JsMsg[]) => {
          batches.push(msgs.length);
          await new Promise<void>((resolve) => releases.push(resolve));
          for (const m of msgs) m.ack();
        },
      },
    });
    return { publish, batches, releases, loop };
  }

  it("holds a partial batch while another runs, then hands over everything that arrived as one", async () => {
    const { publish, batches, releases, loop } = await heldLoop({ max: 64, lingerMs: 60_000, durable: "linger-a" });
    try {
      await publish(1);
      await waitFor("the first snapshot starts at once on an idle loop", () => batches.length === 1, 10_000);
      await publish(5);
      // Four handlers are free, but none starts a partial batch while the first one runs.
      await delay(300);
      assert.deepEqual(batches, [1]);
      releases.shift()!();
      await waitFor("the waiting snapshots start together", () => batches.length === 2, 10_000);
      assert.deepEqual(batches, [1, 5]);
      releases.shift()!();
    } finally {
      for (const release of releases) release();
      await loop.stop(1_000);
    }
  });

  it("starts a full batch at once, and a partial one beside a running batch once it has lingered", async () => {
    const full = await heldLoop({ max: 3, lingerMs: 60_000, durable: "linger-b" });
    try {
      await full.publish(1);
      await waitFor("first batch", () => full.batches.length === 1, 10_000);
      await full.publish(3);
      await waitFor("a full batch starts beside the running one", () => full.batches.length === 2, 10_000);
      assert.deepEqual(full.batches, [1, 3]);
    } finally {
      for (const release of full.releases) release();
      await full.loop.stop(1_000);
    }
    const lingered = await heldLoop({ max: 64, lingerMs: 50, durable: "linger-c" });
    try {
      await lingered.publish(1);
      await waitFor("first batch", () => lingered.batches.length === 1, 10_000);
      await lingered.publish(2);
      await waitFor("the partial batch starts while the first still runs", () => lingered.batches.length === 2, 10_000);
      assert.equal(lingered.releases.length, 2, "the first batch was never released");
    } finally {
      for (const release of lingered.releases) release();
      await lingered.loop.stop(1_000);
    }
  });
});
