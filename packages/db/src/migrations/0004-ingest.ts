import { type Kysely, sql } from "kysely";

/**
 * What the ingestor records beyond the bare history of 0003:
 * - `config_changes` holds structured RouterOS changes: kind `moved`, the menu path and item
 *   identity (renamed from `section` and `key`), a one-line summary, redacted before/after
 *   attributes as jsonb and their order within the diff;
 * - device status: last success, when and what blocked the device, the host key a mismatch
 *   observed (`last_backup_at` stays the time of the last attempt, success or failure);
 * - `job_outcomes`: the last outcome of each scheduled or bulk job, joined on `job_id` by the
 *   gateway's bulk-backup progress;
 * - `ingest_receipts`: one row per message the ingestor accepted (snapshot or failure event), so a
 *   redelivery, even of an unchanged config after a newer version, changes nothing;
 * - audit events without a tenant (a message naming an unknown tenant is still audited).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("config_changes").renameColumn("section", "path").execute();
  await db.schema.alterTable("config_changes").renameColumn("key", "identity").execute();
  await db.schema.alterTable("config_changes").dropColumn("redacted_before").execute();
  await db.schema.alterTable("config_changes").dropColumn("redacted_after").execute();
  await db.schema.alterTable("config_changes").dropConstraint("config_changes_kind_check").execute();
  await db.schema
    .alterTable("config_changes")
    .addColumn("ordinal", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("summary", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("before_attributes", "jsonb")
    .addColumn("after_attributes", "jsonb")
    .execute();
  await db.schema
    .alterTable("config_changes")
    .addCheckConstraint("config_changes_kind_check", sql`kind in ('added', 'removed', 'modified', 'moved')`)
    .execute();
  await sql`alter index config_changes_device_section_idx rename to config_changes_device_path_idx`.execute(db);

  await db.schema
    .alterTable("devices")
    .addColumn("last_success_at", "timestamptz")
    .addColumn("blocked_at", "timestamptz")
    .addColumn("observed_host_key_fingerprint", "text")
    .execute();

  await db.schema
    .alterTable("audit_events")
    .alterColumn("tenant_id", (col) => col.dropNotNull())
    .execute();

  await db.schema
    .createTable("job_outcomes")
    .addColumn("job_id", "text", (col) => col.primaryKey())
    .addColumn("tenant_id", "uuid", (col) => col.notNull())
    .addColumn("device_id", "uuid", (col) => col.notNull())
    .addColumn("outcome", "text", (col) => col.notNull())
    .addColumn("error_code", "text")
    .addColumn("snapshot_id", "uuid", (col) => col.references("config_snapshots.id").onDelete("set null"))
    .addColumn("at", "timestamptz", (col) => col.notNull())
    .addForeignKeyConstraint(
      "job_outcomes_device_fk",
      ["tenant_id", "device_id"],
      "devices",
      ["tenant_id", "id"],
      (fk) => fk.onDelete("cascade"),
    )
    .addCheckConstraint("job_outcomes_outcome_check", sql`outcome in ('stored', 'unchanged', 'failed')`)
    .addCheckConstraint("job_outcomes_error_code_check", sql`(outcome = 'failed') = (error_code is not null)`)
    .execute();
  await db.schema.createIndex("job_outcomes_device_idx").on("job_outcomes").column("device_id").execute();
  await db.schema.createIndex("job_outcomes_snapshot_idx").on("job_outcomes").column("snapshot_id").execute();

  await db.schema
    .createTable("ingest_receipts")
    .addColumn("source", "text", (col) => col.notNull())
    .addColumn("msg_id", "text", (col) => col.notNull())
    .addColumn("tenant_id", "uuid", (col) => col.notNull())
    .addColumn("device_id", "uuid", (col) => col.notNull())
    .addColumn("ingested_event", "jsonb")
    .addColumn("received_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("ingest_receipts_pkey", ["source", "msg_id"])
    .addForeignKeyConstraint(
      "ingest_receipts_device_fk",
      ["tenant_id", "device_id"],
      "devices",
      ["tenant_id", "id"],
      (fk) => fk.onDelete("cascade"),
    )
    .addCheckConstraint("ingest_receipts_source_check", sql`source in ('snapshots', 'events')`)
    .execute();
  await db.schema.createIndex("ingest_receipts_received_idx").on("ingest_receipts").column("received_at").execute();
  await db.schema.createIndex("ingest_receipts_device_idx").on("ingest_receipts").column("device_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("ingest_receipts").execute();
  await db.schema.dropTable("job_outcomes").execute();
  await sql`delete from audit_events where tenant_id is null`.execute(db);
  await db.schema
    .alterTable("audit_events")
    .alterColumn("tenant_id", (col) => col.setNotNull())
    .execute();
  await db.schema
    .alterTable("devices")
    .dropColumn("last_success_at")
    .dropColumn("blocked_at")
    .dropColumn("observed_host_key_fingerprint")
    .execute();
  await sql`alter index config_changes_device_path_idx rename to config_changes_device_section_idx`.execute(db);
  await sql`delete from config_changes where kind = 'moved'`.execute(db);
  await db.schema.alterTable("config_changes").dropConstraint("config_changes_kind_check").execute();
  await db.schema
    .alterTable("config_changes")
    .dropColumn("ordinal")
    .dropColumn("summary")
    .dropColumn("before_attributes")
    .dropColumn("after_attributes")
    .addColumn("redacted_before", "text")
    .addColumn("redacted_after", "text")
    .execute();
  await db.schema
    .alterTable("config_changes")
    .addCheckConstraint("config_changes_kind_check", sql`kind in ('added', 'removed', 'modified')`)
    .execute();
  await db.schema.alterTable("config_changes").renameColumn("identity", "key").execute();
  await db.schema.alterTable("config_changes").renameColumn("path", "section").execute();
}
