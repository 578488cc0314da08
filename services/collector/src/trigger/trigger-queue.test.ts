import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { type TriggerReply, TriggerReplyCodec, TriggerRequestCodec } from "@netledger/contracts";
import type { SimDevice } from "@netledger/device-sim";
import { startHarness, until } from "../../test/harness.js";

/**
 * Trigger requests against a collector process with one SSH slot and a queue of one: deadlines,
 * busy replies, one collection per request id, and a shutdown bounded by its grace period.
 */
describe("trigger queue", () => {
  it("drops a request whose requester gave up, answers busy when full, and collects a request id once", {
    timeout: 120_000,
  }, async () => {
    const h = await startHarness({
      fleet: { count: 4 },
      collector: false,
      env: { COLLECTOR_CONCURRENCY: "1", COLLECTOR_TRIGGER_QUEUE_MAX: "1", SSH_COMMAND_TIMEOUT_MS: "20000" },
    });
    try {
      await h.startReplica();
      const [slow, late, extra, twice] = h.fleet.devices as [SimDevice, SimDevice, SimDevice, SimDevice];
      slow.setLatency(3_000);

      const running = h.trigger(h.ref(slow), 30_000);
      await until("the slow export holds the only slot", () => slow.stats.concurrent === 1);

      // Queued behind it; its requester stops waiting after 300 ms, long before the slot frees up.
      const gaveUp = h.trigger(h.ref(late), 300, { deadlineAt: new Date(Date.now() + 300).toISOString() });
      await assert.rejects(gaveUp, /timeout/i);
      // The queue (one place) is taken only while that request waits, so ask again for a full queue:
      const waiting = h.trigger(h.ref(late), 30_000);
      const full = await h.trigger(h.ref(extra), 5_000);
      assert.equal(full.kind, "busy", JSON.stringify(full));
      assert.equal(extra.stats.sessions, 0, "nothing started for a busy reply");

      assert.equal((await running).kind, "success");
      assert.equal((await waiting).kind, "success");
      assert.equal(late.stats.sessions, 1, "the request whose requester gave up was never collected");

      // The same request id twice while it is being served: both askers get the one result.
      twice.setLatency(500);
      const request = TriggerRequestCodec.encode({
        requestId: randomUUID(),
        requestedAt: new Date().toISOString(),
        ...h.ref(twice),
      });
      const ask = async (): Promise<TriggerReply> =>
        TriggerReplyCodec.decode(
          (await h.world.nc.request(h.world.wire.subjects.trigger, request, { timeout: 20_000 })).data,
        );
      const both = await Promise.all([ask(), ask()]);
      assert.deepEqual(
        both.map((r) => r.kind),
        ["success", "success"],
      );
      assert.deepEqual(both[0], both[1]);
      assert.equal(twice.stats.sessions, 1, "one request id, one collection");
    } finally {
      await h.close();
    }
  });

  it("on SIGTERM answers a running trigger busy once its grace period ends, and exits", {
    timeout: 120_000,
  }, async () => {
    const h = await startHarness({
      fleet: { count: 1 },
      collector: false,
      env: { SSH_COMMAND_TIMEOUT_MS: "120000", COLLECTOR_SHUTDOWN_GRACE_MS: "500" },
    });
    try {
      const replica = await h.startReplica();
      const sim = h.fleet.devices[0]!;
      sim.setLatency(100_000);
      const reply = h.trigger(h.ref(sim), 100_000);
      await until("export running", () => sim.stats.concurrent === 1);
      assert.equal(await replica.terminate(), 0);
      const answered = await reply;
      assert.equal(answered.kind, "busy", JSON.stringify(answered));
      assert.equal(sim.stats.concurrent, 0, "the SSH session was closed");
      assert.equal(await h.snapshot(h.ref(sim)), null);
    } finally {
      await h.close();
    }
  });
});
