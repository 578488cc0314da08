import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type BackupJob, BackupJobCodec, DeadLetterCodec } from "@netledger/contracts";
import type { SimDevice } from "@netledger/device-sim";
import { freePort } from "@netledger/testkit";
import { startHarness, TEST_ENV, until } from "../../test/harness.js";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

async function ready(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
  } catch {
    return false;
  }
}

describe("job worker", () => {
  it("three replica processes work 300 jobs for 100 devices; one is SIGKILLed mid-run and no job is lost", {
    timeout: 120_000,
  }, async () => {
    const h = await startHarness({ fleet: { count: 100, latencyMs: 40 }, collector: false });
    const replicas: ChildProcess[] = [];
    try {
      const { world } = h;
      const ports = await Promise.all([freePort(), freePort(), freePort()]);
      for (const port of ports) {
        const env = { ...process.env, ...world.env(), ...TEST_ENV, OPS_PORT: String(port), LOG_LEVEL: "error" };
        replicas.push(spawn(process.execPath, ["--import", "tsx", MAIN], { cwd: REPO_ROOT, env, stdio: "inherit" }));
      }
      await until("replicas ready", async () => (await Promise.all(ports.map(ready))).every(Boolean));

      const js = jetstream(world.nc);
      const jsm = await jetstreamManager(world.nc);
      const refs = h.fleet.devices.map((sim) => h.ref(sim));
      const jobs: BackupJob[] = refs.flatMap((ref, i) => {
        const job = (n: number): BackupJob => ({ jobId: `job-${i}-${n}`, dueAt: new Date().toISOString(), ...ref });
        // Two jobs per device, and the first one enqueued twice (a duplicate delivery of the same job).
        return [job(1), job(2), job(1)];
      });
      assert.equal(jobs.length, 300);
      await Promise.all(jobs.map((job) => js.publish(world.wire.subjects.backupJobs, BackupJobCodec.encode(job))));

      const snapshotSubjects = async (): Promise<Record<string, number>> => {
        const info = await jsm.streams.info(world.wire.streams.snapshots.name, { subjects_filter: ">" });
        return info.state.subjects ?? {};
      };
      const snapshotMsgIds = async (): Promise<string[]> => {
        const { state } = await jsm.streams.info(world.wire.streams.snapshots.name);
        const ids: string[] = [];
        for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
          const msg = await jsm.streams.getMessage(world.wire.streams.snapshots.name, { seq });
          ids.push(msg?.header?.get("Nats-Msg-Id") ?? "");
        }
        return ids;
      };
      const pendingJobs = async () => (await jsm.streams.info(world.wire.streams.jobs.name)).state.messages;

      await until("a third of the devices collected", async () => Object.keys(await snapshotSubjects()).length >= 33);
      assert.ok((await pendingJobs()) > 0, "the kill happens mid-run");
      replicas[0]!.kill("SIGKILL");

      await until("every job settled", async () => (await pendingJobs()) === 0);
      // No job lost: every distinct job (two per device) left its own snapshot, once.
      const stored = await snapshotMsgIds();
      const expected = [...new Set(jobs.map((job) => `job:${job.jobId}`))].sort();
      assert.equal(expected.length, 200);
      assert.deepEqual([...new Set(stored)].sort(), expected, "one snapshot per job");
      assert.equal(stored.length, expected.length, "no job published twice");
      for (const sim of h.fleet.devices) assert.ok(sim.stats.maxConcurrent <= 1, `${sim.name}: one session at a time`);
      const consumer = await jsm.consumers.info(
        world.wire.streams.jobs.name,
        world.wire.consumers.collectorJobs.durable_name,
      );
      assert.equal(consumer.num_ack_pending, 0);
      assert.equal(consumer.num_pending, 0);

      // The survivors shut down gracefully on SIGTERM.
      for (const replica of replicas.slice(1)) {
        const exited = once(replica, "exit");
        replica.kill("SIGTERM");
        const [code] = await exited;
        assert.equal(code, 0);
      }
    } finally {
      for (const replica of replicas)
        if (replica.exitCode === null && replica.signalCode === null) replica.kill("SIGKILL");
      await h.close();
    }
  });

  it("terms permanent failures, retries transient ones until the last delivery, and dead-letters poison", {
    timeout: 120_000,
  }, async () => {
    const h = await startHarness({ fleet: { count: 2 } });
    try {
      const { world } = h;
      const js = jetstream(world.nc);
      const jsm = await jetstreamManager(world.nc);
      const [authFails, refuses] = h.fleet.devices as [SimDevice, SimDevice];
      await authFails.setFailure("auth-fail");
      await refuses.setFailure("refuse");
      const job = (sim: SimDevice): BackupJob => ({
        jobId: `job-${sim.name}`,
        dueAt: new Date().toISOString(),
        ...h.ref(sim),
      });
      await js.publish(world.wire.subjects.backupJobs, BackupJobCodec.encode(job(authFails)));
      const refusedSeq = (await js.publish(world.wire.subjects.backupJobs, BackupJobCodec.encode(job(refuses)))).seq;
      const poison = await js.publish(world.wire.subjects.backupJobs, new TextEncoder().encode('{"jobId": 42}'));

      const pendingJobs = async () => (await jsm.streams.info(world.wire.streams.jobs.name)).state.messages;
      await until("every job settled", async () => (await pendingJobs()) === 0, 60_000);

      const permanent = await h.lastFailure(h.ref(authFails));
      assert.equal(permanent?.code, "SSH_AUTH_FAILED");
      assert.equal(permanent?.permanent, true);
      assert.equal(permanent?.jobId, `job-${authFails.name}`);
      assert.equal(authFails.stats.sessions, 1, "a permanent failure is not retried");

      const maxAttempts = h.config.COLLECTOR_JOB_MAX_ATTEMPTS;
      const transient = await h.lastFailure(h.ref(refuses));
      assert.equal(transient?.code, "SSH_UNREACHABLE");
      assert.equal(transient?.msgId, `job-failed:job-${refuses.name}:${maxAttempts}`, "one failure event per attempt");

      const events = await jsm.streams.info(world.wire.streams.events.name);
      const letters = [];
      for (let seq = events.state.first_seq; seq <= events.state.last_seq; seq++) {
        const stored = await jsm.streams.getMessage(world.wire.streams.events.name, { seq });
        if (stored?.subject === world.wire.subjects.deadLetterJobs) letters.push(DeadLetterCodec.decode(stored.data));
      }
      const jobIdOf = (l: { payloadBase64: string }) => {
        const payload = JSON.parse(Buffer.from(l.payloadBase64, "base64").toString("utf8")) as { jobId: unknown };
        return payload.jobId;
      };
      assert.deepEqual(
        letters.map((l) => [jobIdOf(l), l.deliveries]).sort(),
        [
          [`job-${refuses.name}`, maxAttempts],
          [42, 1],
        ].sort(),
      );
      assert.ok(letters.some((l) => l.streamSequence === poison.seq));
      assert.ok(refusedSeq > 0);
      assert.equal(await h.snapshot(h.ref(authFails)), null);
    } finally {
      await h.close();
    }
  });
});
