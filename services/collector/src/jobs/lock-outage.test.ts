import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type BackupJob, BackupJobCodec } from "@netledger/contracts";
import { startRedisMasters } from "@netledger/testkit";
import { startHarness, until } from "../../test/harness.js";

/**
 * The issue asks for a 10-minute outage; this one lasts OUTAGE_MS once both replicas have noticed
 * it (the mechanism does not depend on the length: while the quorum is down nothing is pulled, so
 * no delivery and no attempt is spent however long it lasts).
 */
const OUTAGE_MS = 4_000;

describe("lock quorum outage", () => {
  it("two of three Redis masters down mid-run: replicas stop pulling, /readyz 503, 0 dead letters, resume after", {
    timeout: 180_000,
  }, async () => {
    const masters = await startRedisMasters(3);
    const h = await startHarness({
      fleet: { count: 60, latencyMs: 400 },
      collector: false,
      env: { REDIS_LOCK_URLS: masters.map((m) => m.url).join(","), COLLECTOR_CONCURRENCY: "4", LOG_LEVEL: "error" },
    });
    try {
      const { world } = h;
      const replicas = [await h.startReplica(), await h.startReplica()];
      const js = jetstream(world.nc);
      const jsm = await jetstreamManager(world.nc);
      const refs = h.fleet.devices.map((sim) => h.ref(sim));
      for (const [i, ref] of refs.entries()) {
        const job: BackupJob = { jobId: `job-${i}`, dueAt: new Date().toISOString(), ...ref };
        await js.publish(world.wire.subjects.backupJobs, BackupJobCodec.encode(job));
      }
      const collected = async () =>
        Object.keys(
          (await jsm.streams.info(world.wire.streams.snapshots.name, { subjects_filter: ">" })).state.subjects ?? {},
        ).length;
      const ready = async (port: number) => (await fetch(`http://127.0.0.1:${port}/readyz`)).status;

      await until("a few devices collected", async () => (await collected()) >= 8);
      await Promise.all([masters[0]!.stop(), masters[1]!.stop()]);
      await until("both replicas not ready", async () =>
        (await Promise.all(replicas.map((r) => ready(r.opsPort)))).every((s) => s === 503),
      );
      const before = await collected();
      assert.ok(before < refs.length, "the outage happens mid-run");
      await delay(OUTAGE_MS);
      assert.ok((await collected()) - before <= 8, "at most the backups already under way finished");

      const back = Date.now();
      await Promise.all([masters[0]!.start(), masters[1]!.start()]);
      const duringOutage = await collected();
      await until("backups resume", async () => (await collected()) > duringOutage);
      const resumeMs = Date.now() - back;
      await until("both replicas ready", async () =>
        (await Promise.all(replicas.map((r) => ready(r.opsPort)))).every((s) => s === 200),
      );
      await until(
        "every job settled",
        async () => (await jsm.streams.info(world.wire.streams.jobs.name)).state.messages === 0,
      );

      assert.equal(await collected(), refs.length, "every device collected");
      const deadLetters = await jsm.streams.info(world.wire.streams.events.name, {
        subjects_filter: world.wire.subjects.deadLetterJobs,
      });
      assert.equal(deadLetters.state.subjects?.[world.wire.subjects.deadLetterJobs] ?? 0, 0, "no dead letters");
      for (const sim of h.fleet.devices) assert.ok(sim.stats.maxConcurrent <= 1);
      console.log(`# first snapshot ${resumeMs} ms after the masters were started again (start-up included)`);
    } finally {
      await h.close();
      await Promise.all(masters.map((m) => m.stop().catch(() => {})));
    }
  });
});
