import { type Kysely, sql } from "kysely";

/**
 * Configuration history: snapshots (one row per distinct version), the per-device head pointer,
 * diffs between consecutive versions and their structured changes.
 *
 * Dedup of "same sha256 as the device's latest" is made atomic by two constraints (the protocol
 * that uses them is `saveSnapshot` in ../snapshot-versions.ts):
 * - `config_snapshots_device_seq_key` unique (device_id, seq): every stored version takes the
 *   next per-device sequence number, so two transactions that both decided "changed" against the
 *   same latest version collide on the same seq; the loser fails (23505), retries, and then sees
 *   the winner's row as the latest. This holds even for a device's very first snapshot, where
 *   there is no row to lock.
 * - `device_latest_snapshot` (device_id pk, seq): the head pointer, locked `FOR UPDATE` by the
 *   writer so concurrent writers of one device queue up instead of retrying. Its foreign key to
 *   (device_id, seq) makes the database refuse to delete a device's latest snapshot (retention
 *   can never remove it, invariant 5).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("config_snapshots")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("tenant_id", "uuid", (col) => col.notNull())
    .addColumn("device_id", "uuid", (col) => col.notNull())
    .addColumn("seq", "integer", (col) => col.notNull())
    .addColumn("sha256", "text", (col) => col.notNull())
    .addColumn("size_bytes", "integer", (col) => col.notNull())
    .addColumn("content_sealed", "bytea", (col) => col.notNull())
    .addColumn("collected_at", "timestamptz", (col) => col.notNull())
    .addColumn("last_seen_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("normalization_version", "integer", (col) => col.notNull())
    .addColumn("software_version", "text")
    .addColumn("source_msg_id", "text", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint(
      "config_snapshots_device_fk",
      ["tenant_id", "device_id"],
      "devices",
      ["tenant_id", "id"],
      (fk) => fk.onDelete("cascade"),
    )
    .addUniqueConstraint("config_snapshots_device_seq_key", ["device_id", "seq"])
    .addUniqueConstraint("config_snapshots_source_msg_id_key", ["source_msg_id"])
    .addCheckConstraint("config_snapshots_seq_check", sql`seq >= 1`)
    .addCheckConstraint("config_snapshots_sha256_check", sql`sha256 ~ '^[0-9a-f]{64}$'`)
    .addCheckConstraint("config_snapshots_size_check", sql`size_bytes >= 0`)
    .execute();
  await db.schema
    .createIndex("config_snapshots_device_collected_idx")
    .on("config_snapshots")
    .columns(["device_id", "collected_at desc"])
    .execute();

  await db.schema
    .createTable("device_latest_snapshot")
    .addColumn("device_id", "uuid", (col) => col.primaryKey().references("devices.id").onDelete("cascade"))
    .addColumn("seq", "integer", (col) => col.notNull())
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    // NO ACTION (not RESTRICT): deleting a device cascades to both tables in one statement.
    .addForeignKeyConstraint("device_latest_snapshot_snapshot_fk", ["device_id", "seq"], "config_snapshots", [
      "device_id",
      "seq",
    ])
    .execute();

  await db.schema
    .createTable("config_diffs")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("device_id", "uuid", (col) => col.notNull().references("devices.id").onDelete("cascade"))
    .addColumn("from_snapshot_id", "uuid", (col) => col.references("config_snapshots.id").onDelete("set null"))
    .addColumn("to_snapshot_id", "uuid", (col) =>
      col.notNull().unique().references("config_snapshots.id").onDelete("cascade"),
    )
    .addColumn("diff_sealed", "bytea", (col) => col.notNull())
    .addColumn("added_lines", "integer", (col) => col.notNull())
    .addColumn("removed_lines", "integer", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("config_diffs_lines_check", sql`added_lines >= 0 and removed_lines >= 0`)
    .execute();
  await db.schema
    .createIndex("config_diffs_device_created_idx")
    .on("config_diffs")
    .columns(["device_id", "created_at desc"])
    .execute();
  // Retention deletes snapshots; "set null" on from_snapshot_id must not scan every diff.
  await db.schema.createIndex("config_diffs_from_snapshot_idx").on("config_diffs").column("from_snapshot_id").execute();

  await db.schema
    .createTable("config_changes")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("diff_id", "uuid", (col) => col.notNull().references("config_diffs.id").onDelete("cascade"))
    .addColumn("device_id", "uuid", (col) => col.notNull().references("devices.id").onDelete("cascade"))
    .addColumn("section", "text", (col) => col.notNull())
    .addColumn("kind", "text", (col) => col.notNull())
    .addColumn("key", "text", (col) => col.notNull())
    .addColumn("redacted_before", "text")
    .addColumn("redacted_after", "text")
    .addColumn("secret_changed", "boolean", (col) => col.notNull().defaultTo(false))
    .addCheckConstraint("config_changes_kind_check", sql`kind in ('added', 'removed', 'modified')`)
    .execute();
  await db.schema.createIndex("config_changes_diff_idx").on("config_changes").column("diff_id").execute();
  await db.schema
    .createIndex("config_changes_device_section_idx")
    .on("config_changes")
    .columns(["device_id", "section"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("config_changes").execute();
  await db.schema.dropTable("config_diffs").execute();
  await db.schema.dropTable("device_latest_snapshot").execute();
  await db.schema.dropTable("config_snapshots").execute();
}
