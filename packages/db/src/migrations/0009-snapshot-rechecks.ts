import { type Kysely, sql } from "kysely";

/**
 * `snapshot_rechecks`: a short-lived marker per device, written when the ingestor held back a
 * snapshot that looked like the latest version with its tail cut off and asked for one
 * re-collection. The next snapshot of the device that shows the same text (same sha256) is stored;
 * any stored or unchanged snapshot of the device removes the marker.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("snapshot_rechecks")
    .addColumn("device_id", "uuid", (col) => col.primaryKey().references("devices.id").onDelete("cascade"))
    .addColumn("tenant_id", "uuid", (col) => col.notNull())
    .addColumn("suspect_msg_id", "text", (col) => col.notNull())
    .addColumn("suspect_sha256", "text", (col) => col.notNull())
    .addColumn("recheck_job_id", "text")
    .addColumn("attempts", "integer", (col) => col.notNull().defaultTo(1))
    .addColumn("asked_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("snapshot_rechecks").execute();
}
