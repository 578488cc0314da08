import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, afterEach, before, describe, it } from "node:test";
import { jetstream } from "@nats-io/jetstream";
import { IngestedEventCodec } from "@netledger/contracts";
import { diffStoredVersions } from "@netledger/db";
import { openSnapshotBlobs } from "@netledger/platform";
import { createWorld, type World } from "@netledger/testkit";
import { capturingLogger, startWorldIngestion, streamMessages, waitFor } from "../test/harness.js";
import {
  publishFailureEvent,
  publishSnapshotEvent,
  seedFleet,
  snapshotEvent,
  syntheticConfig,
  TEST_FINGERPRINT,
} from "../test/messages.js";
import { sweepOrphanBlobs } from "./blobs/sweep.js";
import type { Ingestion } from "./ingestion.js";

/** Audit actions of a device after versions A, A (unchanged), B. */
const STORED_UNCHANGED_CHANGED = [
  "config_diff_generated",
  "config_snapshot_created",
  "config_snapshot_created",
  "config_snapshot_skipped_duplicate",
  "device_host_key_pinned",
];

describe("ingestion", { timeout: 180_000 }, () => {
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
  const receipts = async (deviceId: string) =>
    (await world.db.selectFrom("ingest_receipts").select("msg_id").where("device_id", "=", deviceId).execute()).length;
  const versions = (deviceId: string) =>
    world.db
      .selectFrom("config_snapshots")
      .select(["id", "seq", "sha256", "content_sealed"])
      .where("device_id", "=", deviceId)
      .orderBy("seq")
      .execute();
  const auditActions = async (deviceId: string) => {
    const snapshots = await world.db
      .selectFrom("config_snapshots")
      .select("id")
      .where("device_id", "=", deviceId)
      .execute();
    const diffs = await world.db.selectFrom("config_diffs").select("id").where("device_id", "=", deviceId).execute();
    const targets = [deviceId, ...snapshots.map((r) => r.id), ...diffs.map((r) => r.id)];
    const rows = await world.db.selectFrom("audit_events").select("action").where("target_id", "in", targets).execute();
    return rows.map((row) => row.action).sort();
  };

  it("stores a first version, skips an unchanged one, diffs a change; announces each message once", async () => {
    const [device] = await seedFleet(world.db, 1);
    assert.ok(device);
    ingestion = await startWorldIngestion(world);
    const texts = [syntheticConfig(), syntheticConfig(), syntheticConfig({ variant: 3 })];
    const events = [];
    for (const [i, text] of texts.entries()) {
      const event = await snapshotEvent(world.sealer, world.wire, device, text, {
        jobId: `job-${device.deviceId}-${i}`,
      });
      events.push(event);
      await publishSnapshotEvent(js(), world.wire, event);
    }
    await waitFor("three receipts", async () => (await receipts(device.deviceId)) === 3);

    const rows = await versions(device.deviceId);
    assert.deepEqual(
      rows.map((r) => r.seq),
      [1, 2],
    );
    assert.ok(
      !Buffer.from(rows[0]!.content_sealed).toString("latin1").includes("edge-router"),
      "content is stored sealed",
    );
    const diff = await world.db
      .selectFrom("config_diffs")
      .selectAll()
      .where("to_snapshot_id", "=", rows[1]!.id)
      .executeTakeFirstOrThrow();
    assert.equal(diff.from_snapshot_id, rows[0]!.id);
    assert.ok(diff.added_lines > 0 && diff.removed_lines > 0);
    const changes = await world.db
      .selectFrom("config_changes")
      .selectAll()
      .where("diff_id", "=", diff.id)
      .orderBy("ordinal")
      .execute();
    assert.ok(changes.some((c) => c.path === "/interface ethernet" && c.kind === "modified"));
    assert.ok(changes.some((c) => c.path === "/ip firewall filter"));

    const outcomes = await world.db
      .selectFrom("job_outcomes")
      .select(["job_id", "outcome", "snapshot_id"])
      .where("device_id", "=", device.deviceId)
      .orderBy("job_id")
      .execute();
    assert.deepEqual(
      outcomes.map((o) => [o.outcome, o.snapshot_id]),
      [
        ["stored", rows[0]!.id],
        ["unchanged", rows[0]!.id],
        ["stored", rows[1]!.id],
      ],
    );
    assert.deepEqual(await auditActions(device.deviceId), STORED_UNCHANGED_CHANGED);
    const status = await world.db
      .selectFrom("devices")
      .selectAll()
      .where("id", "=", device.deviceId)
      .executeTakeFirstOrThrow();
    assert.equal(status.last_backup_status, "success");
    assert.equal(status.host_key_fingerprint, TEST_FINGERPRINT);
    assert.equal(status.host_key_type, "ssh-ed25519", "the key type is pinned with the fingerprint");
    assert.equal(status.consecutive_failures, 0);
    assert.ok(status.last_success_at);

    const announced = await waitFor("three ingested events", async () => {
      const all = await streamMessages(
        world.nc,
        world.wire,
        world.wire.subjects.ingested(device.tenantId, device.deviceId),
      );
      return all.length >= 3 ? all : null;
    });
    const ingested = announced.map((m) => IngestedEventCodec.decode(m.data));
    assert.deepEqual(
      ingested.map((e) => [e.sourceMsgId, e.changed, e.seq]),
      events.map((e, i) => [e.msgId, i !== 1, i === 2 ? 2 : 1]),
    );
    assert.ok(ingested[2]!.changes.modified > 0);

    const onDemand = await diffStoredVersions(world.db, world.sealer, {
      tenantId: device.tenantId,
      deviceId: device.deviceId,
      fromSnapshotId: rows[0]!.id,
      toSnapshotId: rows[1]!.id,
    });
    assert.equal(onDemand.added, diff.added_lines);
  });

  it("changes nothing on a redelivery, even of an unchanged config after a newer version", async () => {
    const [device] = await seedFleet(world.db, 1);
    assert.ok(device);
    ingestion = await startWorldIngestion(world);
    const a = await snapshotEvent(world.sealer, world.wire, device, syntheticConfig());
    const a2 = await snapshotEvent(world.sealer, world.wire, device, syntheticConfig());
    const b = await snapshotEvent(world.sealer, world.wire, device, syntheticConfig({ variant: 5 }));
    for (const event of [a, a2, b]) await publishSnapshotEvent(js(), world.wire, event);
    await waitFor("three receipts", async () => (await receipts(device.deviceId)) === 3);
    // Copies of delivered messages, past JetStream's dedup, as redeliveries after a lost ack.
    for (const event of [a2, a, b]) await publishSnapshotEvent(js(), world.wire, event, `${event.msgId}#again`);
    const subject = world.wire.subjects.ingested(device.tenantId, device.deviceId);
    await waitFor("the copies handled", async () => {
      const info = await world.nc.request(
        `$JS.API.CONSUMER.INFO.${world.wire.streams.snapshots.name}.ingestor-snapshots`,
      );
      const state = JSON.parse(new TextDecoder().decode(info.data)) as { num_pending: number; num_ack_pending: number };
      return state.num_pending === 0 && state.num_ack_pending === 0;
    });
    assert.equal((await versions(device.deviceId)).length, 2);
    assert.equal(await receipts(device.deviceId), 3);
    assert.equal((await streamMessages(world.nc, world.wire, subject)).length, 3, "announced once per message");
    assert.deepEqual(await auditActions(device.deviceId), STORED_UNCHANGED_CHANGED);
  });

  it("stores object-store content and deletes its blob only after commit", async () => {
    const [device] = await seedFleet(world.db, 1);
    assert.ok(device);
    const blobs = await openSnapshotBlobs(world.nc, world.wire);
    const text = syntheticConfig({ bytes: 20_000 });
    const event = await snapshotEvent(world.sealer, world.wire, device, text, { blobs, inlineLimitBytes: 1_000 });
    assert.equal(event.content.kind, "object");
    const name = event.content.kind === "object" ? event.content.name : "";
    await publishSnapshotEvent(js(), world.wire, event);
    ingestion = await startWorldIngestion(world);
    await waitFor("the version", async () => (await versions(device.deviceId)).length === 1);
    // Polled through its info: reading a blob while it is deleted can wait forever (see getBlobWithin).
    await waitFor("the blob deleted", async () => {
      const info = await blobs.info(name);
      return info === null || info.deleted;
    });
  });

  it("sweeps snapshot blobs older than the horizon and keeps younger ones", async () => {
    const blobs = await openSnapshotBlobs(world.nc, world.wire);
    await blobs.putBlob({ name: "sweep/old" }, new Uint8Array([1, 2, 3]));
    assert.equal(await sweepOrphanBlobs(blobs, new Date(Date.now() - 3_600_000)), 0);
    assert.ok(await blobs.getBlob("sweep/old"));
    assert.equal(await sweepOrphanBlobs(blobs, new Date(Date.now() + 1_000)), 1);
    assert.equal(await blobs.getBlob("sweep/old"), null);
  });

  it("dead-letters bad input (schema, sha256, unknown device), audits and terminates it, and goes on", async () => {
    const [device] = await seedFleet(world.db, 1);
    assert.ok(device);
    ingestion = await startWorldIngestion(world);
    const good = await snapshotEvent(world.sealer, world.wire, device, syntheticConfig());
    const badSha = { ...good, msgId: `job:${randomUUID()}`, sha256: "0".repeat(64) };
    const stranger = { tenantId: device.tenantId, deviceId: randomUUID() };
    const unknown = await snapshotEvent(world.sealer, world.wire, stranger, syntheticConfig());
    await js().publish(world.wire.subjects.snapshot(device.tenantId, device.deviceId), new TextEncoder().encode("{}"));
    await publishSnapshotEvent(js(), world.wire, badSha);
    await publishSnapshotEvent(js(), world.wire, unknown);
    await publishFailureEvent(js(), world.wire, stranger, "SSH_TIMEOUT");
    await publishSnapshotEvent(js(), world.wire, good);
    await waitFor("the good one stored", async () => (await versions(device.deviceId)).length === 1);
    const letters = await waitFor("four dead letters", async () => {
      const all = await streamMessages(world.nc, world.wire, world.wire.subjects.deadLetterIngest);
      return all.length >= 4 ? all : null;
    });
    const reasons = letters.map(
      (l) => JSON.parse(new TextDecoder().decode(l.data)) as { reason: string; source: string },
    );
    assert.deepEqual(reasons.map((r) => `${r.source} ${r.reason.split(":")[0]}`).sort(), [
      "events unknown_device",
      "snapshots schema",
      "snapshots sha256",
      "snapshots unknown_device",
    ]);
    const audited = await world.db
      .selectFrom("audit_events")
      .select(["tenant_id"])
      .where("action", "=", "message_dead_lettered")
      .where("tenant_id", "=", device.tenantId)
      .execute();
    assert.equal(audited.length, 4);
  });

  it("records failures, blocks on SSH_AUTH_FAILED, and rejects a snapshot taken over another host key", async () => {
    const [flaky, locked, spoofed] = await seedFleet(world.db, 3);
    assert.ok(flaky && locked && spoofed);
    ingestion = await startWorldIngestion(world);
    await publishFailureEvent(js(), world.wire, flaky, "SSH_TIMEOUT", { jobId: `job-${flaky.deviceId}` });
    await publishFailureEvent(js(), world.wire, flaky, "SSH_UNREACHABLE");
    await publishFailureEvent(js(), world.wire, locked, "SSH_AUTH_FAILED");
    await publishSnapshotEvent(
      js(),
      world.wire,
      await snapshotEvent(world.sealer, world.wire, spoofed, syntheticConfig()),
    );
    const other = `SHA256:${"B".repeat(43)}`;
    await publishSnapshotEvent(
      js(),
      world.wire,
      await snapshotEvent(world.sealer, world.wire, spoofed, syntheticConfig({ variant: 1 }), {
        hostKeyFingerprint: other,
        jobId: `job-${spoofed.deviceId}`,
      }),
    );
    const device = (id: string) =>
      world.db.selectFrom("devices").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    await waitFor(
      "every message handled",
      async () =>
        (
          await world.db
            .selectFrom("ingest_receipts")
            .select("msg_id")
            .where("device_id", "in", [flaky.deviceId, locked.deviceId, spoofed.deviceId])
            .execute()
        ).length === 5,
    );
    const f = await device(flaky.deviceId);
    assert.equal(f.last_backup_status, "failed");
    assert.equal(f.consecutive_failures, 2);
    assert.equal(f.blocked_reason, null);
    const l = await device(locked.deviceId);
    assert.equal(l.blocked_reason, "SSH_AUTH_FAILED");
    assert.ok(l.blocked_at);
    const s = await device(spoofed.deviceId);
    assert.equal(s.host_key_fingerprint, TEST_FINGERPRINT, "the first fingerprint stays pinned");
    assert.equal(s.blocked_reason, "SSH_HOSTKEY_MISMATCH");
    assert.equal(s.observed_host_key_fingerprint, other);
    assert.equal((await versions(spoofed.deviceId)).length, 1, "nothing from the other key is stored");
    const job = await world.db
      .selectFrom("job_outcomes")
      .selectAll()
      .where("job_id", "=", `job-${spoofed.deviceId}`)
      .executeTakeFirstOrThrow();
    assert.deepEqual([job.outcome, job.error_code], ["failed", "SSH_HOSTKEY_MISMATCH"]);
    const blocked = await world.db
      .selectFrom("audit_events")
      .select("target_id")
      .where("action", "=", "device_blocked")
      .execute();
    assert.deepEqual(blocked.map((b) => b.target_id).sort(), [locked.deviceId, spoofed.deviceId].sort());
  });

  it("never lets a changed password's value reach diffs, changes, audit rows, events or logs", async () => {
    const [device] = await seedFleet(world.db, 1);
    assert.ok(device);
    const { logger, lines } = capturingLogger();
    ingestion = await startWorldIngestion(world, { logger });
    const oldPassword = `old-${randomUUID()}`;
    const newPassword = `new-${randomUUID()}`;
    for (const password of [oldPassword, newPassword]) {
      const event = await snapshotEvent(world.sealer, world.wire, device, syntheticConfig({ password }));
      await publishSnapshotEvent(js(), world.wire, event);
    }
    await waitFor("two versions", async () => (await versions(device.deviceId)).length === 2);
    const rows = await versions(device.deviceId);
    const changes = await world.db
      .selectFrom("config_changes")
      .selectAll()
      .where("device_id", "=", device.deviceId)
      .execute();
    assert.ok(
      changes.some((c) => c.path === "/user" && c.secret_changed),
      "the secret change is recorded",
    );
    const onDemand = await diffStoredVersions(world.db, world.sealer, {
      tenantId: device.tenantId,
      deviceId: device.deviceId,
      fromSnapshotId: rows[0]!.id,
      toSnapshotId: rows[1]!.id,
    });
    const diffRow = await world.db
      .selectFrom("config_diffs")
      .select("diff_sealed")
      .where("device_id", "=", device.deviceId)
      .executeTakeFirstOrThrow();
    const { openSealedText, deviceSealAad } = await import("@netledger/platform");
    const storedDiff = openSealedText(
      world.sealer,
      deviceSealAad(device.tenantId, device.deviceId),
      diffRow.diff_sealed,
    );
    const audit = await world.db.selectFrom("audit_events").selectAll().execute();
    const events = await streamMessages(world.nc, world.wire, world.wire.subjects.eventsAll);
    const haystack = [
      storedDiff,
      JSON.stringify(onDemand),
      JSON.stringify(changes),
      JSON.stringify(audit),
      ...events.map((e) => new TextDecoder().decode(e.data)),
      ...lines,
    ].join("\n");
    for (const password of [oldPassword, newPassword]) {
      assert.ok(!haystack.includes(password), "a password value leaked");
      assert.ok(!haystack.includes(password.slice(4)), "part of a password value leaked");
    }
  });
});
