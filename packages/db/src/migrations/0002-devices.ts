import { type Kysely, sql } from "kysely";

/** Devices: address, sealed credentials, pinned host key, schedule and last backup status. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("devices")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("tenant_id", "uuid", (col) => col.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("host", "text", (col) => col.notNull())
    .addColumn("port", "integer", (col) => col.notNull())
    .addColumn("driver", "text", (col) => col.notNull())
    .addColumn("credentials_sealed", "text", (col) => col.notNull())
    .addColumn("host_key_fingerprint", "text")
    .addColumn("host_key_first_seen_at", "timestamptz")
    .addColumn("software_version", "text")
    .addColumn("backup_interval_seconds", "integer")
    .addColumn("enabled", "boolean", (col) => col.notNull().defaultTo(true))
    .addColumn("last_backup_at", "timestamptz")
    .addColumn("last_backup_status", "text")
    .addColumn("last_error_code", "text")
    .addColumn("consecutive_failures", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("blocked_reason", "text")
    .addColumn("next_due_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("devices_tenant_name_key", ["tenant_id", "name"])
    // Target of the (tenant_id, device_id) foreign keys: a child row cannot name another tenant's device.
    .addUniqueConstraint("devices_tenant_id_key", ["tenant_id", "id"])
    .addCheckConstraint("devices_port_check", sql`port between 1 and 65535`)
    .addCheckConstraint(
      "devices_last_backup_status_check",
      sql`last_backup_status in ('success', 'unchanged', 'failed')`,
    )
    .addCheckConstraint("devices_backup_interval_check", sql`backup_interval_seconds > 0`)
    .addCheckConstraint("devices_consecutive_failures_check", sql`consecutive_failures >= 0`)
    .execute();
  // The scheduler's scan: enabled devices in due order.
  await db.schema
    .createIndex("devices_due_idx")
    .on("devices")
    .column("next_due_at")
    .where(sql.ref("enabled"), "=", true)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("devices").execute();
}
