import { type Kysely, sql } from "kysely";

/**
 * Scheduler and retention bookkeeping:
 * - `devices.last_scheduled_slot_at`: the slot of the last job the scheduler enqueued for the
 *   device (regular or retry), so a retry after a failure is enqueued once however leaders change;
 * - an index for the scheduler's retry scan (devices whose last attempt failed);
 * - an index for the retention sweep, which looks for versions last seen before a cut-off.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("devices").addColumn("last_scheduled_slot_at", "timestamptz").execute();
  await db.schema
    .createIndex("devices_failing_idx")
    .on("devices")
    .column("last_backup_at")
    .where(sql.ref("consecutive_failures"), ">", 0)
    .execute();
  await db.schema.createIndex("config_snapshots_last_seen_idx").on("config_snapshots").column("last_seen_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("config_snapshots_last_seen_idx").execute();
  await db.schema.dropIndex("devices_failing_idx").execute();
  await db.schema.alterTable("devices").dropColumn("last_scheduled_slot_at").execute();
}
