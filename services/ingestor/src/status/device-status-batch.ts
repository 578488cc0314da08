import type { Database, DeviceUpdate } from "@netledger/db";
import { sql, type Transaction } from "kysely";
import { DEVICE_STATE_COLUMNS, type DeviceState } from "./device-status.js";

/**
 * Locks the rows of `deviceIds` (`FOR UPDATE`, in id order so two batches cannot deadlock on each
 * other) and returns them by id; a device that does not exist is absent. The tenant is checked by
 * the caller.
 */
export async function lockDevices(
  trx: Transaction<Database>,
  deviceIds: readonly string[],
): Promise<Map<string, DeviceState>> {
  if (deviceIds.length === 0) return new Map();
  const rows = await trx
    .selectFrom("devices")
    .select(DEVICE_STATE_COLUMNS)
    .where("id", "in", [...deviceIds].sort())
    .orderBy("id")
    .forUpdate()
    .execute();
  return new Map(rows.map((row) => [row.id, row]));
}

/** Columns {@link successUpdate} may set, with their SQL types. */
const UPDATABLE = {
  updated_at: "timestamptz",
  last_backup_at: "timestamptz",
  last_backup_status: "text",
  last_error_code: "text",
  consecutive_failures: "integer",
  software_version: "text",
  last_success_at: "timestamptz",
  host_key_fingerprint: "text",
  host_key_type: "text",
  host_key_first_seen_at: "timestamptz",
} as const satisfies Partial<Record<keyof DeviceUpdate, string>>;

type UpdatableColumn = keyof typeof UPDATABLE;

/** One device's update for {@link updateDevices}. */
export interface DeviceUpdateRow {
  readonly id: string;
  readonly update: Pick<DeviceUpdate, UpdatableColumn>;
}

/**
 * Applies one update per device in ONE statement: each row sets exactly the columns its update
 * names (as `updateTable(...).set(update)` would), the others keep their value.
 */
export async function updateDevices(trx: Transaction<Database>, updates: readonly DeviceUpdateRow[]): Promise<void> {
  if (updates.length === 0) return;
  for (const { update } of updates) {
    const unknown = Object.keys(update).filter((key) => !(key in UPDATABLE));
    if (unknown.length > 0) throw new Error(`updateDevices cannot set ${unknown.join(", ")}`);
  }
  const assignments = (Object.entries(UPDATABLE) as [UpdatableColumn, string][]).map(
    ([column, type]) =>
      sql`${sql.ref(column)} = case when u.doc ? ${column} then (u.doc->>${column})::${sql.raw(type)} else d.${sql.ref(column)} end`,
  );
  const docs = JSON.stringify(updates.map(({ id, update }) => ({ ...update, id })));
  await sql`
    update devices as d set ${sql.join(assignments)}
    from jsonb_array_elements(${docs}::jsonb) as u(doc)
    where d.id = (u.doc->>'id')::uuid`.execute(trx);
}
