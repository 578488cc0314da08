import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type BackupJob, BackupJobCodec } from "@netledger/contracts";
import { startHarness, until } from "../../test/harness.js";

describe("job worker shutdown", () => {
  it("SIGTERM during a running job, two replicas: the job comes back and ends with a snapshot, never acked without one", {
    timeout: 120_000,
  }, async () => {
    const h = await startHarness({
      fleet: { count: 1 },
      collector: false,
      env: { SSH_COMMAND_TIMEOUT_MS: "60000", COLLECTOR_SHUTDOWN_GRACE_MS: "300", LOG_LEVEL: "error" },
    });
    try {
      const { world } = h;
      const replicas = [await h.startReplica(), await h.startReplica()];
      const sim = h.fleet.devices[0]!;
      sim.setLatency(4_000);
      const ref = h.ref(sim);
      const job: BackupJob = { jobId: "job-shutdown", dueAt: new Date().toISOString(), ...ref };
      await jetstream(world.nc).publish(world.wire.subjects.backupJobs, BackupJobCodec.encode(job));

      let holder: (typeof replicas)[number] | undefined;
      await until("one replica runs the job", async () => {
        for (const replica of replicas)
          if ((await replica.metric("netledger_collector_backups_in_flight", { trigger: "scheduled" })) === 1)
            holder = replica;
        return holder !== undefined && sim.stats.concurrent === 1;
      });
      assert.equal(await holder!.terminate(), 0, "graceful exit");

      const jsm = await jetstreamManager(world.nc);
      const pending = async () => (await jsm.streams.info(world.wire.streams.jobs.name)).state.messages;
      // The job leaves the work queue only when acked, and it is acked only with its snapshot.
      await until("job settled", async () => (await pending()) === 0);
      const stored = await h.snapshot(ref);
      assert.equal(stored?.msgId, "job:job-shutdown", "acked with its snapshot");
      assert.equal(sim.stats.maxConcurrent, 1, "the second session started after the first closed");
      assert.equal(sim.stats.sessions, 2, "interrupted once, then collected by the other replica");
    } finally {
      await h.close();
    }
  });
});
