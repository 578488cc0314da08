import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { createWorld } from "@netledger/testkit";
import { type BackupEvent, FirstRound, formatBackupEvent } from "./backups.js";

const [A, B, C] = [randomUUID(), randomUUID(), randomUUID()];
const sha = "a".repeat(64);
const ingested = (deviceId: string, changed: boolean, snapshotId: string = randomUUID()): BackupEvent => ({
  kind: "ingested",
  event: {
    sourceMsgId: `job:${deviceId}`,
    tenantId: randomUUID(),
    deviceId,
    trigger: "scheduled",
    snapshotId,
    seq: 2,
    sha256: sha,
    changed,
    changes: { added: changed ? 1 : 0, removed: 0, modified: changed ? 1 : 0, moved: 0 },
    ingestedAt: new Date().toISOString(),
  },
});

describe("first round of --once", () => {
  test("without an ingestor a collected backup is an outcome; a transient failure is not", () => {
    const round = new FirstRound([A, B, C], false);
    round.record({ kind: "collected", deviceId: A, sha256: sha, bytes: 1, trigger: "scheduled" });
    round.record({ kind: "failed", deviceId: B, code: "SSH_CONNECT_FAILED", permanent: false });
    round.record({ kind: "failed", deviceId: C, code: "SSH_AUTH_FAILED", permanent: true });
    assert.deepEqual(round.pending(), [B]);
    round.record({ kind: "collected", deviceId: B, sha256: sha, bytes: 1, trigger: "scheduled" });
    assert.deepEqual(round.pending(), []);
    assert.deepEqual(round.succeeded(), [A, B]);
    assert.deepEqual(round.failed(), [C]);
  });

  test("with an ingestor a backup counts once stored (or found unchanged)", () => {
    const round = new FirstRound([A, B], true);
    round.record({ kind: "collected", deviceId: A, sha256: sha, bytes: 1, trigger: "scheduled" });
    assert.deepEqual(round.pending(), [A, B]);
    round.record(ingested(A, true));
    round.record(ingested(B, false));
    assert.deepEqual(round.pending(), []);
    assert.deepEqual(round.succeeded(), [A, B]);
  });
});

describe("backup lines", () => {
  test("a stored version lists its structured changes from PostgreSQL", async () => {
    const world = await createWorld({ nats: false, redis: false });
    try {
      const { db } = world;
      const { id: tenantId } = await db
        .insertInto("tenants")
        .values({ name: "t" })
        .returning("id")
        .executeTakeFirstOrThrow();
      const { id: deviceId } = await db
        .insertInto("devices")
        .values({
          tenant_id: tenantId,
          name: "sim-001",
          host: "h",
          port: 22,
          driver: "routeros",
          credentials_sealed: "v1:k:x",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const { id: snapshotId } = await db
        .insertInto("config_snapshots")
        .values({
          tenant_id: tenantId,
          device_id: deviceId,
          seq: 2,
          sha256: createHash("sha256").update("x").digest("hex"),
          size_bytes: 1,
          content_sealed: Buffer.from("s"),
          collected_at: new Date(),
          normalization_version: 1,
          source_msg_id: "m",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const { id: diffId } = await db
        .insertInto("config_diffs")
        .values({
          device_id: deviceId,
          to_snapshot_id: snapshotId,
          diff_sealed: Buffer.from("d"),
          added_lines: 1,
          removed_lines: 1,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await db
        .insertInto("config_changes")
        .values([
          {
            diff_id: diffId,
            device_id: deviceId,
            ordinal: 0,
            kind: "modified",
            path: "/interface ethernet",
            identity: "default-name=ether1",
            summary: "ether1: mtu 1500 → 9000",
          },
          {
            diff_id: diffId,
            device_id: deviceId,
            ordinal: 1,
            kind: "added",
            path: "/ip firewall address-list",
            identity: "#3",
            summary: "list=demo 10.99.0.1",
          },
        ])
        .execute();
      const lines = await formatBackupEvent(ingested(deviceId, true, snapshotId), () => "sim-001", 7, db);
      assert.deepEqual(lines, [
        "sim-001 stored   v2  2 changes: 1 added, 1 modified",
        "    ~ /interface ethernet [default-name=ether1]  ether1: mtu 1500 → 9000",
        "    + /ip firewall address-list [#3]  list=demo 10.99.0.1",
      ]);
      assert.deepEqual(await formatBackupEvent(ingested(deviceId, false), () => "sim-001", 7, db), [
        "sim-001 unchanged v2 (same sha256 as the stored version)",
      ]);
    } finally {
      await world.close();
    }
  });
});
