import { type Kysely, sql } from "kysely";

/**
 * Gateway state of "back up now" and bulk backups:
 * - `backup_batches` / `backup_batch_jobs`: one bulk backup (`POST /api/tenants/{tid}/backups`)
 *   and the job it enqueued per device. Progress is read by joining `job_id` to the ingestor's
 *   `job_outcomes`; a job with no outcome yet is pending.
 * - `idempotency_keys`: the first answer to a request carrying an `Idempotency-Key`, replayed to
 *   retries for 24 h. The primary key makes concurrent first uses of one key race on an insert
 *   that exactly one wins, so a key never runs its request twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("backup_batches")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("tenant_id", "uuid", (col) => col.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("created_by", "text", (col) => col.notNull())
    .addColumn("filter", "jsonb", (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("device_count", "integer", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("backup_batches_device_count_check", sql`device_count >= 0`)
    .execute();
  await db.schema
    .createIndex("backup_batches_tenant_created_idx")
    .on("backup_batches")
    .columns(["tenant_id", "created_at desc"])
    .execute();

  await db.schema
    .createTable("backup_batch_jobs")
    .addColumn("batch_id", "uuid", (col) => col.notNull().references("backup_batches.id").onDelete("cascade"))
    .addColumn("job_id", "text", (col) => col.notNull().unique())
    .addColumn("tenant_id", "uuid", (col) => col.notNull())
    .addColumn("device_id", "uuid", (col) => col.notNull())
    /** The device's name when the batch was made, so a progress report survives a rename. */
    .addColumn("device_name", "text", (col) => col.notNull())
    /** Set when the job never reached the work queue (e.g. `PUBLISH_FAILED`). */
    .addColumn("enqueue_error", "text")
    .addPrimaryKeyConstraint("backup_batch_jobs_pkey", ["batch_id", "device_id"])
    .addForeignKeyConstraint(
      "backup_batch_jobs_device_fk",
      ["tenant_id", "device_id"],
      "devices",
      ["tenant_id", "id"],
      (fk) => fk.onDelete("cascade"),
    )
    .execute();

  await db.schema
    .createTable("idempotency_keys")
    .addColumn("tenant_id", "uuid", (col) => col.notNull().references("tenants.id").onDelete("cascade"))
    /** The API token that sent the key: keys are scoped per client. */
    .addColumn("token_id", "text", (col) => col.notNull())
    .addColumn("key", "text", (col) => col.notNull())
    /** Method and path the key was first used with; another request with the same key is refused. */
    .addColumn("request_fingerprint", "text", (col) => col.notNull())
    /** Which request holds (or held) the key: only it may record the answer or let go. */
    .addColumn("claim_id", "uuid", (col) => col.notNull())
    .addColumn("state", "text", (col) => col.notNull())
    .addColumn("status", "integer")
    .addColumn("response", "jsonb")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    /** A pending key whose request died with its gateway can be taken over after this. */
    .addColumn("locked_until", "timestamptz", (col) => col.notNull())
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addPrimaryKeyConstraint("idempotency_keys_pkey", ["tenant_id", "token_id", "key"])
    .addCheckConstraint("idempotency_keys_state_check", sql`state in ('pending', 'done')`)
    .addCheckConstraint(
      "idempotency_keys_done_check",
      sql`state = 'pending' or (status is not null and response is not null)`,
    )
    .execute();
  await db.schema.createIndex("idempotency_keys_expires_idx").on("idempotency_keys").column("expires_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("idempotency_keys").execute();
  await db.schema.dropTable("backup_batch_jobs").execute();
  await db.schema.dropTable("backup_batches").execute();
}
