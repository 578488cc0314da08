import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { BackupFailedEventCodec, type BackupJob, BackupJobCodec } from "@netledger/contracts";
import { startNatsServer } from "@netledger/testkit";
import { startHarness, until } from "../../test/harness.js";

/**
 * kill -9 of the NATS server under two collector processes, on a private nats-server (the 2.10
 * binary `scripts/provision-nats.sh` provisions, when present: 2.9.10 leaves finished jobs in the
 * work queue after such a crash).
 */
describe("NATS server killed mid-run", () => {
  it("every device backed up once, 0 jobs left, no backup fails PUBLISH_FAILED because of the reconnect", {
    timeout: 180_000,
  }, async () => {
    const server = await startNatsServer();
    const h = await startHarness({
      fleet: { count: 60, latencyMs: 300 },
      collector: false,
      natsUrl: server.url,
      env: { COLLECTOR_CONCURRENCY: "6", LOG_LEVEL: "error" },
    });
    try {
      const { world } = h;
      await h.startReplica();
      await h.startReplica();
      const js = jetstream(world.nc);
      const jsm = await jetstreamManager(world.nc);
      const refs = h.fleet.devices.map((sim) => h.ref(sim));
      for (const [i, ref] of refs.entries()) {
        const job: BackupJob = { jobId: `job-${i}`, dueAt: new Date().toISOString(), ...ref };
        await js.publish(world.wire.subjects.backupJobs, BackupJobCodec.encode(job), { msgID: job.jobId });
      }
      const perDevice = async () =>
        (await jsm.streams.info(world.wire.streams.snapshots.name, { subjects_filter: ">" })).state.subjects ?? {};

      await until("a few devices collected", async () => Object.keys(await perDevice()).length >= 10);
      await server.kill();
      await delay(1_000); // the outage
      await server.start();

      await until(
        "every device collected",
        async () => Object.keys(await perDevice().catch(() => ({}))).length === refs.length,
      );
      await until("0 jobs left in the work queue", async () => {
        const jobs = await jsm.streams.info(world.wire.streams.jobs.name);
        const consumer = await jsm.consumers.info(
          world.wire.streams.jobs.name,
          world.wire.consumers.collectorJobs.durable_name,
        );
        return jobs.state.messages === 0 && consumer.num_ack_pending === 0 && consumer.num_pending === 0;
      });
      const counts = Object.values(await perDevice());
      assert.deepEqual(
        counts.filter((n) => n !== 1),
        [],
        "one snapshot per device",
      );

      const events = await jsm.streams.info(world.wire.streams.events.name);
      const codes: string[] = [];
      const failedPrefix = world.wire.subjects.backupFailed(h.tenantId, "x").slice(0, -1);
      for (let seq = events.state.first_seq; seq <= events.state.last_seq && events.state.messages > 0; seq++) {
        const stored = await jsm.streams.getMessage(world.wire.streams.events.name, { seq });
        if (stored?.subject.startsWith(failedPrefix)) {
          codes.push(BackupFailedEventCodec.decode(stored.data).code);
        }
      }
      assert.deepEqual(
        codes.filter((c) => c === "PUBLISH_FAILED"),
        [],
        "no backup failed to publish",
      );
      for (const sim of h.fleet.devices) assert.ok(sim.stats.maxConcurrent <= 1);
      const sessions = h.fleet.devices.reduce((n, sim) => n + sim.stats.sessions, 0);
      console.log(
        `# ${sessions} SSH sessions for ${refs.length} devices; failure events: ${codes.join(",") || "none"}`,
      );
    } finally {
      await h.close();
      await server.stop().catch(() => {});
    }
  });
});
