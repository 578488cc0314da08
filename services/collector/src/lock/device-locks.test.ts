import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startRedisMasters } from "@netledger/testkit";
import { startHarness, until } from "../../test/harness.js";

describe("device locks across three Redis masters", () => {
  it("keep working with one master down; without a quorum a running backup is cut and new ones fail fast", {
    timeout: 60_000,
  }, async () => {
    const masters = await startRedisMasters(3);
    try {
      const h = await startHarness({
        fleet: { count: 1, latencyMs: 200 },
        env: { REDIS_LOCK_URLS: masters.map((m) => m.url).join(","), SSH_COMMAND_TIMEOUT_MS: "20000" },
      });
      try {
        const ref = h.ref(h.fleet.devices[0]!);
        assert.equal((await h.trigger(ref)).kind, "success", "all three up");

        await masters[0]!.stop();
        const both = await Promise.all([h.trigger(ref), h.trigger(ref)]);
        assert.deepEqual(both.map((r) => r.kind).sort(), ["locked", "success"], "one down: still exclusive");
        assert.equal(h.fleet.devices[0]!.stats.maxConcurrent, 1);

        // Quorum lost while a slow export runs: the lock cannot be extended, so the session is cut.
        const sim = h.fleet.devices[0]!;
        sim.setLatency(5_000);
        const cut = h.trigger(ref, 30_000);
        await until("export running", () => sim.stats.concurrent === 1);
        await masters[1]!.stop();
        const lost = await cut;
        assert.equal(lost.kind === "failed" && lost.code, "LOCK_UNAVAILABLE");
        await until("session closed", () => sim.stats.concurrent === 0);

        // Generous safety timeout: the point is that it returns (acquire does not hang), not how fast.
        sim.resetStats();
        const reply = await h.trigger(ref, 30_000);
        assert.equal(reply.kind === "failed" && reply.code, "LOCK_UNAVAILABLE");
        assert.equal(sim.stats.sessions, 0, "no session without the lock");
        assert.equal((await h.lastFailure(ref))?.code, "LOCK_UNAVAILABLE");
      } finally {
        await h.close();
      }
    } finally {
      await Promise.all(masters.map((m) => m.stop().catch(() => {})));
    }
  });

  it("count a hung master (SIGSTOP) as down: its extension times out, the backup is cut, readiness fails", {
    timeout: 60_000,
  }, async () => {
    const [master] = await startRedisMasters(1);
    try {
      const h = await startHarness({
        fleet: { count: 1 },
        env: { REDIS_LOCK_URLS: master!.url, SSH_COMMAND_TIMEOUT_MS: "30000", LOCK_COMMAND_TIMEOUT_MS: "500" },
      });
      try {
        const sim = h.fleet.devices[0]!;
        const ref = h.ref(sim);
        const locksReady = async () => (await h.collector!.readiness.locks!()) === true;
        await until("lock quorum up", locksReady);
        sim.setLatency(20_000);
        const reply = h.trigger(ref, 40_000);
        await until("export running", () => sim.stats.concurrent === 1);
        await master!.pause();
        const cut = await reply;
        assert.equal(cut.kind === "failed" && cut.code, "LOCK_UNAVAILABLE", JSON.stringify(cut));
        await until("session closed", () => sim.stats.concurrent === 0);
        await until("hung master counted down", async () => !(await locksReady()));
        master!.resume();
        await until("master answers again", locksReady);
        sim.setLatency(0);
        assert.equal((await h.trigger(ref)).kind, "success");
      } finally {
        master!.resume();
        await h.close();
      }
    } finally {
      await master!.stop().catch(() => {});
    }
  });
});
