import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import type { Database } from "@netledger/db";
import { createLogger, createMetricsRegistry } from "@netledger/platform";
import { createWorld, type World } from "@netledger/testkit";
import type { Kysely } from "kysely";
import type { Clock } from "../clock.js";
import { createRetentionMetrics } from "./metrics.js";
import { DEFAULT_RETENTION_POLICY } from "./retention-policy.js";
import { sweepRetention } from "./retention-sweep.js";

const DAY = 86_400_000;
const NOW = new Date("2030-06-30T12:00:00.000Z");
const clock: Clock = { now: () => NOW };
const logger = createLogger({ name: "retention-test", level: "silent" });

interface Version {
  readonly id: string;
  readonly seq: number;
  /** The diff that introduced this version (from the previous one, or null for the first). */
  readonly diffId: string;
}

async function tenant(db: Kysely<Database>): Promise<string> {
  const row = await db
    .insertInto("tenants")
    .values({ name: `t-${randomUUID()}` })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * A device with one version per entry of `ages` (days since last seen, oldest first; the last
 * one is the head), each introduced by a diff from the one before with two structured changes.
 */
async function deviceWithVersions(db: Kysely<Database>, tenantId: string, ages: readonly number[]) {
  const { id: deviceId } = await db
    .insertInto("devices")
    .values({
      tenant_id: tenantId,
      name: `d-${randomUUID()}`,
      host: "127.0.0.1",
      port: 22,
      driver: "routeros",
      credentials_sealed: "v1:k:x",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const versions: Version[] = [];
  for (const [index, age] of ages.entries()) {
    const seq = index + 1;
    const seen = new Date(NOW.getTime() - age * DAY);
    const { id } = await db
      .insertInto("config_snapshots")
      .values({
        tenant_id: tenantId,
        device_id: deviceId,
        seq,
        sha256: createHash("sha256").update(`${deviceId}:${seq}`).digest("hex"),
        size_bytes: 10,
        content_sealed: Buffer.from("sealed"),
        collected_at: new Date(seen.getTime() - DAY / 2),
        last_seen_at: seen,
        normalization_version: 1,
        source_msg_id: `msg-${randomUUID()}`,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const { id: diffId } = await db
      .insertInto("config_diffs")
      .values({
        device_id: deviceId,
        from_snapshot_id: versions.at(-1)?.id ?? null,
        to_snapshot_id: id,
        diff_sealed: Buffer.from("diff"),
        added_lines: 1,
        removed_lines: 1,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("config_changes")
      .values(
        [0, 1].map((ordinal) => ({
          diff_id: diffId,
          device_id: deviceId,
          ordinal,
          kind: "modified" as const,
          path: "/interface ethernet",
          identity: `default-name=ether${ordinal + 1}`,
          summary: "mtu 1500 → 9000",
        })),
      )
      .execute();
    versions.push({ id, seq, diffId });
  }
  await db
    .insertInto("device_latest_snapshot")
    .values({ device_id: deviceId, seq: versions.length })
    .onConflict((oc) => oc.column("device_id").doUpdateSet({ seq: versions.length }))
    .execute();
  return { deviceId, versions };
}

async function remaining(db: Kysely<Database>, deviceId: string) {
  const snapshots = await db
    .selectFrom("config_snapshots")
    .select("seq")
    .where("device_id", "=", deviceId)
    .orderBy("seq")
    .execute();
  const diffs = await db
    .selectFrom("config_diffs")
    .select(["id", "from_snapshot_id", "to_snapshot_id"])
    .where("device_id", "=", deviceId)
    .execute();
  const changes = await db.selectFrom("config_changes").select("diff_id").where("device_id", "=", deviceId).execute();
  return { seqs: snapshots.map((s) => s.seq), diffs, changes };
}

async function withWorld(run: (world: World) => Promise<void>): Promise<void> {
  const world = await createWorld({ nats: false, redis: false });
  try {
    await run(world);
  } finally {
    await world.close();
  }
}

describe("retention sweep on PostgreSQL", { timeout: 120_000 }, () => {
  test("deletes versions older than the limit with their diffs and changes, and keeps every device's latest", () =>
    withWorld(async ({ db }) => {
      const t1 = await tenant(db);
      const t2 = await tenant(db);
      const a = await deviceWithVersions(db, t1, [200, 150, 100, 50, 10]);
      const b = await deviceWithVersions(db, t1, [400, 300]);
      const c = await deviceWithVersions(db, t2, [500]);
      const young = await deviceWithVersions(db, t2, [30, 20, 1]);

      const registry = createMetricsRegistry("ingestor");
      const metrics = createRetentionMetrics(registry);
      const counts = await sweepRetention({
        db,
        policy: DEFAULT_RETENTION_POLICY,
        clock,
        logger,
        metrics,
        devicesPerBatch: 1,
      });
      assert.deepEqual(counts, { snapshots: 4, diffs: 4, changes: 8, diffsDetached: 2, devices: 2 });

      const ra = await remaining(db, a.deviceId);
      assert.deepEqual(ra.seqs, [4, 5]);
      const [v3, v4, v5] = [a.versions[2]!, a.versions[3]!, a.versions[4]!];
      const into4 = ra.diffs.find((d) => d.to_snapshot_id === v4.id);
      assert.deepEqual(
        into4,
        { id: v4.diffId, from_snapshot_id: null, to_snapshot_id: v4.id },
        "diff from a deleted version is kept, detached",
      );
      assert.equal(ra.diffs.find((d) => d.to_snapshot_id === v5.id)?.from_snapshot_id, v4.id);
      assert.equal(ra.diffs.length, 2);
      assert.ok(!ra.diffs.some((d) => d.to_snapshot_id === v3.id));
      assert.equal(ra.changes.length, 4, "changes of the kept diffs only");

      const rb = await remaining(db, b.deviceId);
      assert.deepEqual(rb.seqs, [2], "the latest is kept although 300 days old");
      assert.deepEqual((await remaining(db, c.deviceId)).seqs, [1], "a lone 500-day-old latest is kept");
      assert.deepEqual((await remaining(db, young.deviceId)).seqs, [1, 2, 3]);

      const audits = await db
        .selectFrom("audit_events")
        .select(["tenant_id", "action", "detail"])
        .where("action", "=", "retention_swept")
        .execute();
      assert.equal(audits.length, 2, "one event per tenant batch that deleted something");
      const total = audits.reduce((sum, e) => sum + Number(e.detail.snapshots), 0);
      assert.equal(total, 4);
      assert.ok(audits.every((e) => e.tenant_id === t1));
      assert.match(
        await registry.metrics(),
        /netledger_retention_deleted_total\{kind="snapshots",service="ingestor"\} 4/,
      );

      const again = await sweepRetention({ db, policy: DEFAULT_RETENTION_POLICY, clock, logger });
      assert.deepEqual(again, { snapshots: 0, diffs: 0, changes: 0, diffsDetached: 0, devices: 0 });
      assert.equal(
        (await db.selectFrom("audit_events").select("id").where("action", "=", "retention_swept").execute()).length,
        2,
        "a sweep that deletes nothing writes no audit event",
      );
    }));

  test("tiers keep one version per day, week and month beyond the limit", () =>
    withWorld(async ({ db }) => {
      const t = await tenant(db);
      // Two versions a day for 200 days, the newest being the head.
      const ages = Array.from({ length: 400 }, (_, i) => 200 - i / 2).filter((age) => age > 0);
      const d = await deviceWithVersions(db, t, ages);
      const policy = { keepAllDays: 7, dailyDays: 30, weeklyDays: 90, monthlyDays: 365 };
      const counts = await sweepRetention({ db, policy, clock, logger });
      const { seqs, diffs } = await remaining(db, d.deviceId);
      const ageOf = (seq: number) => ages[seq - 1]!;
      const kept = seqs.map(ageOf);
      assert.equal(counts.snapshots, ages.length - seqs.length);
      assert.ok(seqs.includes(ages.length), "the head is kept");
      assert.equal(
        kept.filter((age) => age < 7).length,
        ages.filter((age) => age < 7).length,
        "all of the last 7 days",
      );
      const daily = kept.filter((age) => age >= 7 && age < 30).length;
      assert.ok(daily >= 22 && daily <= 24, `about one per day from 7 to 30 days: ${daily}`);
      const weekly = kept.filter((age) => age >= 30 && age < 90).length;
      assert.ok(weekly >= 8 && weekly <= 11, `about one per week from 30 to 90 days: ${weekly}`);
      const monthly = kept.filter((age) => age >= 90).length;
      assert.ok(monthly >= 3 && monthly <= 5, `about one per month beyond 90 days: ${monthly}`);
      assert.equal(diffs.length, seqs.length, "each kept version keeps the diff that introduced it");
    }));
});
