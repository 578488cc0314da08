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
