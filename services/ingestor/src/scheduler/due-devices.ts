import type { DeviceTarget } from "@netledger/contracts";
import { type Database, type Device, type DeviceTargetRow, deviceTargetOf } from "@netledger/db";
import { type Kysely, sql, type Transaction } from "kysely";
import type { DeviceScheduleState, SchedulePolicy } from "./schedule-policy.js";

/** A due device as the scheduler reads it: its schedule state and what a job carries. */
export interface DueDevice extends DeviceScheduleState {
  readonly tenantId: string;
  /** What the job carries to a collector; null when the device's driver is unknown to this build. */
  readonly target: DeviceTarget | null;
}

type DueRow = DeviceTargetRow &
  Pick<
    Device,
    | "id"
    | "tenant_id"
    | "backup_interval_seconds"
    | "enabled"
    | "blocked_reason"
    | "next_due_at"
    | "consecutive_failures"
    | "last_scheduled_slot_at"
  > & { last_failure_at: Date | null };

/**
 * Locks and reads up to `limit` devices due at `now` (`FOR UPDATE SKIP LOCKED`: rows another
 * transaction is enqueueing are left to it). Due means: enabled, not blocked, and either the
 * regular slot has started or a retry after a failure is due and not enqueued yet — the same rule
 * as `decideSchedule`, which has the last word. Times are compared at millisecond precision, as
 * JavaScript reads and writes them.
 */
export async function lockDueDevices(
  trx: Transaction<Database>,
  now: Date,
  policy: SchedulePolicy,
  limit: number,
): Promise<DueDevice[]> {
  const steps = policy.retryBackoffMs.map((ms) => Math.round(ms));
  const retryAt = steps.length
    ? sql`date_trunc('milliseconds', d.last_backup_at)
          + (${steps}::bigint[])[least(d.consecutive_failures, ${steps.length})] * interval '1 millisecond'`
    : sql`null::timestamptz`;
  const { rows } = await sql<DueRow>`
    select d.id, d.tenant_id, d.name, d.host, d.port, d.driver, d.credentials_sealed, d.host_key_fingerprint,
      d.host_key_type, d.software_version, d.backup_interval_seconds, d.enabled, d.blocked_reason,
      date_trunc('milliseconds', d.next_due_at) as next_due_at, d.consecutive_failures,
      case when d.last_backup_status = 'failed' then date_trunc('milliseconds', d.last_backup_at) end as last_failure_at,
      d.last_scheduled_slot_at, s.size_bytes as last_snapshot_bytes, s.sha256 as last_snapshot_sha256
    from devices d
    left join device_latest_snapshot h on h.device_id = d.id
    left join config_snapshots s on s.device_id = h.device_id and s.seq = h.seq
    where d.enabled and d.blocked_reason is null
      and (
        date_trunc('milliseconds', d.next_due_at) <= ${now}
        or (
          d.consecutive_failures > 0 and d.last_backup_status = 'failed'
          and ${retryAt} <= ${now}
          and (d.last_scheduled_slot_at is null or d.last_scheduled_slot_at < ${retryAt})
        )
      )
    order by d.next_due_at
    limit ${limit}
    for update of d skip locked`.execute(trx);
  return rows.map(toDueDevice);
}

function toDueDevice(row: DueRow): DueDevice {
  return {
    deviceId: row.id,
    tenantId: row.tenant_id,
    target: deviceTargetOf(row),
    enabled: row.enabled,
    blockedReason: row.blocked_reason,
    intervalSeconds: row.backup_interval_seconds,
    nextDueAt: row.next_due_at,
    consecutiveFailures: row.consecutive_failures,
    lastFailureAt: row.last_failure_at,
    lastScheduledSlotAt: row.last_scheduled_slot_at,
  };
}

/** A slot the scheduler enqueued (or could not turn into a job): what to record on the device. */
export interface ScheduledSlot {
  readonly deviceId: string;
  readonly slotAt: Date;
  readonly nextDueAt: Date;
}

/** Records enqueued slots: `next_due_at` moves on and `last_scheduled_slot_at` remembers the slot. */
export async function recordScheduledSlots(db: Kysely<Database>, slots: readonly ScheduledSlot[]): Promise<void> {
  if (slots.length === 0) return;
  const ids = slots.map((s) => s.deviceId);
  const next = slots.map((s) => s.nextDueAt.toISOString());
  const at = slots.map((s) => s.slotAt.toISOString());
  await sql`
    update devices as d
    set next_due_at = u.next_due_at, last_scheduled_slot_at = u.slot_at
    from unnest(${ids}::uuid[], ${next}::timestamptz[], ${at}::timestamptz[]) as u(id, next_due_at, slot_at)
    where d.id = u.id`.execute(db);
}
