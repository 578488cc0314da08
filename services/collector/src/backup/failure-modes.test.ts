import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TriggerReply } from "@netledger/contracts";
import { SIM_FAILURE_CODES } from "@netledger/testkit";
import { startHarness, until } from "../../test/harness.js";

const EXPECTED = SIM_FAILURE_CODES;

describe("failure modes", () => {
  it("maps every device failure to its code, publishes failure events, and keeps other devices flowing", {
    timeout: 60_000,
  }, async () => {
    const h = await startHarness({
      fleet: { count: EXPECTED.length + 2, oversizeBytes: 3 * 1024 * 1024 },
      // The hanging export is cut after 15 s of silence: far beyond the healthy rounds below.
      env: { EXPORT_MAX_BYTES: String(1024 * 1024), COLLECTOR_CONCURRENCY: "16", SSH_COMMAND_TIMEOUT_MS: "15000" },
    });
    try {
      const healthy = h.fleet.devices.slice(EXPECTED.length);
      const cases = EXPECTED.map(([mode, codes], i) => {
        const sim = h.fleet.devices[i]!;
        // Pin the key the device has now; hostkey-rotated then presents another one.
        return { mode, codes, sim, ref: h.ref(sim, { hostKeyFingerprint: sim.hostKeyFingerprint }) };
      });
      await Promise.all(cases.map((c) => c.sim.setFailure(c.mode)));

      const failing = cases.map((c) => h.trigger(c.ref, 60_000));
      // While the hanging device holds its session, other devices keep being backed up.
      const hanging = cases.find((c) => c.mode === "hang")!.sim;
      await until("the hanging export runs", () => hanging.stats.concurrent === 1);
      for (let round = 0; round < 3; round++) {
        const replies = await Promise.all(healthy.map((sim) => h.trigger(h.ref(sim))));
        assert.deepEqual(
          replies.map((r) => r.kind),
          healthy.map(() => "success"),
        );
      }
      assert.equal(hanging.stats.concurrent, 1, "the healthy rounds did not wait for the hanging device");
      const replies: TriggerReply[] = await Promise.all(failing);

      for (const [i, c] of cases.entries()) {
        const reply = replies[i]!;
        assert.equal(reply.kind, "failed", `${c.mode}: ${JSON.stringify(reply)}`);
        if (reply.kind !== "failed") continue;
        assert.ok(c.codes.includes(reply.code), `${c.mode}: got ${reply.code}`);
        assert.doesNotMatch(reply.message, new RegExp(c.sim.password.replace(/\W/g, "\\$&")));
        const event = await h.lastFailure(c.ref);
        assert.equal(event?.code, reply.code, `${c.mode}: failure event`);
        assert.equal(event?.trigger, "manual");
        assert.equal(await h.snapshot(c.ref), null, `${c.mode}: nothing published`);
      }

      const rotated = cases.find((c) => c.mode === "hostkey-rotated")!;
      const mismatch = await h.lastFailure(rotated.ref);
      assert.equal(mismatch?.permanent, true);
      assert.match(mismatch?.observedHostKeyFingerprint ?? "", /^SHA256:/);
      assert.notEqual(mismatch?.observedHostKeyFingerprint, rotated.ref.device.hostKeyFingerprint);
      assert.equal((await h.lastFailure(cases[0]!.ref))?.permanent, true, "auth failures are permanent");
      assert.equal((await h.lastFailure(cases[2]!.ref))?.permanent, false, "timeouts are transient");
    } finally {
      await h.close();
    }
  });
});
