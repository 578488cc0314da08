import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type Kysely, sql } from "kysely";
import { type Database, migrateDown, migrateToLatest, migrations, saveSnapshot } from "./index.js";
import { insertTenantDevice, sha256Hex, snapshotOf, snapshotRows } from "./test-fixtures.js";

/** A migrated database for one suite run, and how to dispose of it. */
export interface SuiteDatabase {
  readonly db: Kysely<Database>;
  close(): Promise<void>;
}

const TABLES = [
  "api_tokens",
  "audit_events",
  "backup_batch_jobs",
  "backup_batches",
  "config_changes",
  "config_diffs",
  "config_snapshots",
  "device_latest_snapshot",
  "devices",
  "idempotency_keys",
  "ingest_receipts",
  "job_outcomes",
  "snapshot_rechecks",
  "tenants",
];

/** SQLSTATE of the error a promise rejects with, and the constraint when it names one. */
async function violation(promise: Promise<unknown>): Promise<{ code: string; constraint?: string }> {
  const err = await promise.then(
    () => assert.fail("expected a constraint violation"),
    (e: unknown) => e as { code: string; constraint?: string },
  );
  return { code: err.code, ...(err.constraint ? { constraint: err.constraint } : {}) };
}

/**
 * The schema's behaviour, run unchanged against PostgreSQL and PGlite: both must accept the same
 * migrations and enforce the same constraints.
 */
export function describeSchema(engine: string, open: () => Promise<SuiteDatabase>): void {
  describe(`schema on ${engine}`, () => {
    let handle: SuiteDatabase;
    let db: Kysely<Database>;
    before(async () => {
      handle = await open();
      db = handle.db;
    });
    after(() => handle.close());

    it("applies every migration once; a second run applies nothing", async () => {
      const applied = await migrateToLatest(db);
      assert.deepEqual(applied, []);
      const recorded = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
      assert.deepEqual(
        recorded.rows.map((r) => r.name),
        migrations.map((m) => m.name),
      );
      const tables = (await db.introspection.getTables()).map((t) => t.name).sort();
      assert.deepEqual(tables, TABLES);
    });

    it("keeps api token roles and hashes honest", async () => {
      const { tenant_id } = await insertTenantDevice(db);
      const token = (role: string, hash = sha256Hex(randomUUID())) =>
        db
          .insertInto("api_tokens")
          .values({ tenant_id, name: "ci", token_hash: hash, role: role as "admin" })
          .execute();
      await token("operator");
      assert.deepEqual(await violation(token("root")), { code: "23514", constraint: "api_tokens_role_check" });
      assert.deepEqual(await violation(token("admin", "not-a-hash")), {
        code: "23514",
        constraint: "api_tokens_token_hash_check",
      });
      const hash = sha256Hex("same token");
      await token("viewer", hash);
      assert.deepEqual(await violation(token("viewer", hash)), {
        code: "23505",
        constraint: "api_tokens_token_hash_key",
      });
    });

    it("scopes device names to their tenant", async () => {
      const device = await insertTenantDevice(db);
      const sameNameElsewhere = await insertTenantDevice(db);
      assert.equal(sameNameElsewhere.name, device.name);
      assert.deepEqual(await violation(insertTenantDevice(db, device.tenant_id)), {
        code: "23505",
        constraint: "devices_tenant_name_key",
      });
      assert.equal(device.enabled, true);
      assert.equal(device.consecutive_failures, 0);
    });

    it("refuses a second row from the same source message or at the same seq, and a snapshot of another tenant's device", async () => {
      const device = await insertTenantDevice(db);
      const other = await insertTenantDevice(db);
      const msgId = randomUUID();
      await db
        .insertInto("config_snapshots")
        .values({ ...snapshotOf(device, "a"), seq: 1, source_msg_id: msgId })
        .execute();
      assert.deepEqual(
        await violation(
          db
            .insertInto("config_snapshots")
            .values({ ...snapshotOf(device, "b"), seq: 2, source_msg_id: msgId })
            .execute(),
        ),
        { code: "23505", constraint: "config_snapshots_source_msg_id_key" },
      );
      assert.deepEqual(
        await violation(
          db
            .insertInto("config_snapshots")
            .values({ ...snapshotOf(device, "b"), seq: 1 })
            .execute(),
        ),
        { code: "23505", constraint: "config_snapshots_device_seq_key" },
      );
      assert.deepEqual(
        await violation(
          db
            .insertInto("config_snapshots")
            .values({ ...snapshotOf(device, "c"), tenant_id: other.tenant_id, seq: 3 })
            .execute(),
        ),
        { code: "23503", constraint: "config_snapshots_device_fk" },
      );
    });

    it("stores a version only when it differs from the latest (A, A, B, A → 3 versions)", async () => {
      const device = await insertTenantDevice(db);
      const save = (config: string, msgId?: string) =>
        db.transaction().execute((trx) => saveSnapshot(trx, snapshotOf(device, config, msgId)));
      const first = await save("A", "msg-a1");
      assert.equal(first.kind, "stored");
      assert.equal(first.kind === "stored" && first.previous, null);
      assert.equal((await save("A")).kind, "unchanged");
      assert.deepEqual(await save("A", "msg-a1"), {
        kind: "duplicate",
        snapshotId: first.kind === "stored" ? first.snapshot.id : "",
      });
      const b = await save("B");
      assert.equal(b.kind === "stored" && b.previous?.sha256, sha256Hex("A"));
      const a2 = await save("A");
      assert.equal(a2.kind === "stored" && a2.previous?.sha256, sha256Hex("B"));
      const rows = await snapshotRows(db, device.id);
      assert.deepEqual(
        rows.map((r) => [r.seq, r.sha256]),
        [
          [1, sha256Hex("A")],
          [2, sha256Hex("B")],
          [3, sha256Hex("A")],
        ],
      );
    });

    it("never lets the latest snapshot be deleted; older ones go and their diffs lose the link", async () => {
      const device = await insertTenantDevice(db);
      const save = (config: string) => db.transaction().execute((trx) => saveSnapshot(trx, snapshotOf(device, config)));
      await save("one");
      const second = await save("two");
      assert.ok(second.kind === "stored" && second.previous);
      const diff = await db
        .insertInto("config_diffs")
        .values({
          device_id: device.id,
          from_snapshot_id: second.previous.id,
          to_snapshot_id: second.snapshot.id,
          diff_sealed: Buffer.from("sealed diff"),
          added_lines: 1,
          removed_lines: 1,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await db
        .insertInto("config_changes")
        .values({ diff_id: diff.id, device_id: device.id, path: "/ip address", kind: "moved", identity: "ether1" })
        .execute();
      assert.deepEqual(
        await violation(db.deleteFrom("config_snapshots").where("id", "=", second.snapshot.id).execute()),
        { code: "23503", constraint: "device_latest_snapshot_snapshot_fk" },
      );
      await db.deleteFrom("config_snapshots").where("id", "=", second.previous.id).execute();
      const kept = await db.selectFrom("config_diffs").selectAll().where("id", "=", diff.id).executeTakeFirstOrThrow();
      assert.equal(kept.from_snapshot_id, null);

      await db.deleteFrom("devices").where("id", "=", device.id).execute();
      for (const table of ["config_snapshots", "device_latest_snapshot", "config_diffs", "config_changes"] as const) {
        const left = await db.selectFrom(table).select("device_id").where("device_id", "=", device.id).execute();
        assert.equal(left.length, 0, `${table} rows of a deleted device`);
      }
    });

    it("reverts every migration and applies them again", async () => {
      const reverted: string[] = [];
      for (let i = 0; i < migrations.length; i++) reverted.push(...(await migrateDown(db)));
      assert.deepEqual(reverted, migrations.map((m) => m.name).reverse());
      assert.deepEqual(await migrateDown(db), []);
      assert.deepEqual(
        await migrateToLatest(db),
        migrations.map((m) => m.name),
      );
    });
  });
}
