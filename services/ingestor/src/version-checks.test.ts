import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import {
  type BackupJob,
  BackupJobCodec,
  type IngestedEvent,
  IngestedEventCodec,
  NORMALIZATION_VERSION,
  type SnapshotEvent,
} from "@netledger/contracts";
import { diffStoredVersions } from "@netledger/db";
import { getDriver } from "@netledger/drivers";
import { createWorld, type World } from "@netledger/testkit";
import { startWorldIngestion, streamMessages, waitFor } from "../test/harness.js";
import { type FleetDevice, publishSnapshotEvent, seedFleet, snapshotEvent, syntheticConfig } from "../test/messages.js";
import type { Ingestion } from "./ingestion.js";
import { recheckJobId } from "./store/latest-check.js";

const routeros = getDriver("routeros");
/** A status comment normalization version 2 drops (version 1 kept it). */
const CAPSMAN_NOTE = "# channel: 5180/20-Ceee/ac(17dBm), SSID: lab, CAPsMAN forwarding";

/** `text` as a collector of normalization version 1 sent it: with the CAPsMAN status comment. */
function asVersion1(text: string): string {
  return text.replace("/system identity\n", `/system identity\n${CAPSMAN_NOTE}\n`);
}

/** `text` without its last `lines` lines: an export that stopped early between two lines. */
function withoutTail(text: string, lines: number): string {
  return `${text
    .split("\n")
    .slice(0, -1 - lines)
    .join("\n")}\n`;
}

describe("version checks before storing", { timeout: 180_000 }, () => {
  let world: World;
  let ingestion: Ingestion | undefined;
  before(async () => {
    world = await createWorld({ redis: false });
  });
  afterEach(async () => {
    await ingestion?.stop();
    ingestion = undefined;
  });
  after(() => world?.close());

  const js = () => jetstream(world.nc);
  const versions = (deviceId: string) =>
    world.db
      .selectFrom("config_snapshots")
      .select(["id", "seq", "sha256", "normalization_version"])
      .where("device_id", "=", deviceId)
      .orderBy("seq")
      .execute();
  const receipts = async (deviceId: string) =>
    (await world.db.selectFrom("ingest_receipts").select("msg_id").where("device_id", "=", deviceId).execute()).length;
  const announced = async (device: FleetDevice, count: number): Promise<IngestedEvent[]> => {
    const subject = world.wire.subjects.ingested(device.tenantId, device.deviceId);
    const all = await waitFor(`${count} ingested events`, async () => {
      const messages = await streamMessages(world.nc, world.wire, subject);
      return messages.length >= count ? messages : null;
    });
    return all.map((m) => IngestedEventCodec.decode(m.data));
  };
  const jobOutcome = (jobId: string) =>
    world.db
      .selectFrom("job_outcomes")
      .select(["outcome", "error_code", "snapshot_id"])
      .where("job_id", "=", jobId)
      .executeTakeFirst();
  /** The re-collection jobs on the work queue for `deviceId` (scheduled ones are left out). */
  const queuedJobs = async (deviceId: string): Promise<BackupJob[]> => {
    const jsm = await jetstreamManager(world.nc);
    const name = world.wire.streams.jobs.name;
    const info = await jsm.streams.info(name);
    const jobs: BackupJob[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const msg = await jsm.streams.getMessage(name, { seq }).catch(() => null);
      const job = msg ? BackupJobCodec.decode(msg.data) : null;
      if (job?.deviceId === deviceId && job.jobId.startsWith("recheck:")) jobs.push(job);
    }
    return jobs;
  };
  const send = async (device: FleetDevice, text: string, options: { jobId?: string; msgId?: string } = {}) => {
    const event = await snapshotEvent(world.sealer, world.wire, device, text, options);
    await publishSnapshotEvent(js(), world.wire, event);
    return event;
  };
  const sendAs = async (event: SnapshotEvent) => {
    await publishSnapshotEvent(js(), world.wire, event);
    return event;
  };

  it("makes no version of a normalization bump, either way, and diffs across it without the bump", async () => {
    const [device] = await seedFleet(world.db, 1);
    assert.ok(device);
    ingestion = await startWorldIngestion(world);
    const current = routeros.normalize(syntheticConfig());
    const old = asVersion1(current);
    assert.notEqual(old, current);
    assert.equal(routeros.normalize(old), current, "version 2 drops the status comment");

    const v1 = (text: string, jobId: string) =>
      snapshotEvent(world.sealer, world.wire, device, text, { jobId }).then((e) => ({ ...e, normalizationVersion: 1 }));
    await sendAs(await v1(old, "norm-1"));
    await waitFor("first version", async () => (await receipts(device.deviceId)) === 1);
    // The collector upgraded: same config, normalized by the newer rules.
    await send(device, current, { jobId: "norm-2" });
    // An old collector, during a rolling upgrade, collects it again.
    await sendAs(await v1(old, "norm-3"));
    await waitFor("three receipts", async () => (await receipts(device.deviceId)) === 3);

    let rows = await versions(device.deviceId);
    assert.deepEqual(
      rows.map((r) => [r.seq, r.normalization_version]),
      [[1, 1]],
      "the bump is no new version; the stored row is kept",
    );
    assert.deepEqual((await jobOutcome("norm-2"))?.outcome, "unchanged");
    assert.deepEqual((await jobOutcome("norm-3"))?.outcome, "unchanged");
    const events = await announced(device, 3);
    assert.deepEqual(
      events.map((e) => [e.changed, e.seq]),
      [
        [true, 1],
        [false, 1],
        [false, 1],
      ],
    );

    // A real change under the new rules: one version, and its diff shows the change only.
    const changed = routeros.normalize(syntheticConfig({ variant: 3 }));
    await send(device, changed, { jobId: "norm-4" });
    await waitFor("four receipts", async () => (await receipts(device.deviceId)) === 4);
    rows = await versions(device.deviceId);
    assert.deepEqual(
      rows.map((r) => [r.seq, r.normalization_version]),
      [
        [1, 1],
        [2, NORMALIZATION_VERSION],
      ],
    );
    const onDemand = await diffStoredVersions(world.db, world.sealer, {
      tenantId: device.tenantId,
      deviceId: device.deviceId,
      fromSnapshotId: rows[0]!.id,
      toSnapshotId: rows[1]!.id,
    });
    assert.ok(!onDemand.unified.includes("CAPsMAN"), "the dropped status comment is no removed line");
    assert.ok(onDemand.changes.length > 0);
    const stored = await world.db
      .selectFrom("config_diffs")
      .select(["added_lines", "removed_lines"])
      .where("to_snapshot_id", "=", rows[1]!.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual([stored.added_lines, stored.removed_lines], [onDemand.added, onDemand.removed]);
    assert.equal(stored.removed_lines, stored.added_lines, "modified lines only: nothing removed by the bump");
  });

  it("holds back an export that lost its tail, asks for one re-collection, and stores it when it repeats", async () => {
    const [device] = await seedFleet(world.db, 1);
    assert.ok(device);
    ingestion = await startWorldIngestion(world);
    const full = routeros.normalize(syntheticConfig({ bytes: 8_000 }));
    const short = withoutTail(full, 20);
    await send(device, full, { jobId: "tail-1" });
    await waitFor("first version", async () => (await receipts(device.deviceId)) === 1);

    const suspect = await send(device, short, { jobId: "tail-2" });
    await waitFor("suspect handled", async () => (await receipts(device.deviceId)) === 2);
    // A redelivery of the held-back message enqueues nothing more.
    await publishSnapshotEvent(js(), world.wire, suspect, `${suspect.msgId}:redelivered`);

    assert.equal((await versions(device.deviceId)).length, 1, "nothing stored");
    assert.deepEqual(await jobOutcome("tail-2"), {
      outcome: "failed",
      error_code: "EXPORT_TRUNCATED",
      snapshot_id: null,
    });
    const audit = await world.db
      .selectFrom("audit_events")
      .select(["action", "detail"])
      .where("target_id", "=", device.deviceId)
      .where("action", "=", "config_snapshot_suspected_truncated")
      .execute();
    assert.equal(audit.length, 1);
    const recheckId = recheckJobId(suspect.msgId);
    const jobs = await waitFor("re-collection job", async () => {
      const queued = await queuedJobs(device.deviceId);
      return queued.length > 0 ? queued : null;
    });
    assert.deepEqual(
      jobs.map((j) => [j.jobId, j.tenantId, j.device.host, j.device.lastSnapshotBytes]),
      [[recheckId, device.tenantId, "192.0.2.1", Buffer.byteLength(full)]],
    );
    const events = await announced(device, 2);
    assert.deepEqual(
      events.map((e) => [e.sourceMsgId, e.changed, e.seq, e.heldBack ?? false]),
      [
        [events[0]!.sourceMsgId, true, 1, false],
        [suspect.msgId, false, 1, true],
      ],
    );

    // The re-collection shows the same shortened text: the device really lost that config.
    await send(device, short, { jobId: recheckId, msgId: `job:${recheckId}` });
    await waitFor("re-collection handled", async () => (await receipts(device.deviceId)) === 3);
    assert.equal(await receipts(device.deviceId), 3, "the redelivered suspect was a duplicate");
    const rows = await versions(device.deviceId);
    assert.deepEqual(
      rows.map((r) => r.seq),
      [1, 2],
    );
    assert.equal((await jobOutcome(recheckId))?.outcome, "stored");
    assert.equal((await queuedJobs(device.deviceId)).length, 1, "one re-collection only");
    const markers = await world.db
      .selectFrom("snapshot_rechecks")
      .select("device_id")
      .where("device_id", "=", device.deviceId)
      .execute();
    assert.equal(markers.length, 0, "the marker is gone once stored");
  });

  it("forgets a held-back export when the re-collection shows the whole config again", async () => {
    const [device] = await seedFleet(world.db, 1);
    assert.ok(device);
    ingestion = await startWorldIngestion(world);
    const full = routeros.normalize(syntheticConfig({ bytes: 8_000, variant: 5 }));
    await send(device, full, { jobId: "heal-1" });
    await waitFor("first version", async () => (await receipts(device.deviceId)) === 1);
    const suspect = await send(device, withoutTail(full, 3), { jobId: "heal-2" });
    await waitFor("suspect handled", async () => (await receipts(device.deviceId)) === 2);
    const recheckId = recheckJobId(suspect.msgId);
    await send(device, full, { jobId: recheckId, msgId: `job:${recheckId}` });
    await waitFor("re-collection handled", async () => (await receipts(device.deviceId)) === 3);

    assert.equal((await versions(device.deviceId)).length, 1);
    assert.equal((await jobOutcome(recheckId))?.outcome, "unchanged");
    const markers = await world.db
      .selectFrom("snapshot_rechecks")
      .select("device_id")
      .where("device_id", "=", device.deviceId)
      .execute();
    assert.equal(markers.length, 0);

    // Shortened again later: held back afresh (a new re-collection), never stored on one read.
    const again = await send(device, withoutTail(full, 3), { jobId: "heal-4" });
    await waitFor("second suspect handled", async () => (await receipts(device.deviceId)) === 4);
    assert.equal((await versions(device.deviceId)).length, 1);
    assert.equal((await jobOutcome("heal-4"))?.error_code, "EXPORT_TRUNCATED");
    await waitFor("second re-collection job", async () =>
      (await queuedJobs(device.deviceId)).some((j) => j.jobId === recheckJobId(again.msgId)),
    );
  });

  it("asks at most twice for exports cut at different points, and never stores one on a single read", async () => {
    const [device] = await seedFleet(world.db, 1);
    assert.ok(device);
    ingestion = await startWorldIngestion(world);
    const full = routeros.normalize(syntheticConfig({ bytes: 8_000, variant: 7 }));
    await send(device, full, { jobId: "cut-0" });
    await waitFor("first version", async () => (await receipts(device.deviceId)) === 1);
    for (const [i, lines] of [30, 20, 10].entries()) {
      await send(device, withoutTail(full, lines), { jobId: `cut-${i + 1}` });
      await waitFor(`cut ${i + 1} handled`, async () => (await receipts(device.deviceId)) === i + 2);
    }
    assert.equal((await versions(device.deviceId)).length, 1, "none of three different cuts is stored");
    const marker = await world.db
      .selectFrom("snapshot_rechecks")
      .select(["attempts", "recheck_job_id"])
      .where("device_id", "=", device.deviceId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(marker, { attempts: 3, recheck_job_id: null });
    const jobs = await waitFor("two re-collection jobs", async () => {
      const queued = await queuedJobs(device.deviceId);
      return queued.length >= 2 ? queued : null;
    });
    assert.equal(jobs.length, 2);

    // The last cut seen again (by whatever collection): the device shows it twice, so it is stored.
    await send(device, withoutTail(full, 10), { jobId: "cut-4" });
    await waitFor("cut 4 handled", async () => (await receipts(device.deviceId)) === 5);
    assert.equal((await jobOutcome("cut-4"))?.outcome, "stored");
    assert.equal((await versions(device.deviceId)).length, 2);
  });
});
