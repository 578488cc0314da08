import type { Database } from "@netledger/db";
import type { Logger } from "@netledger/platform";
import { type Kysely, sql, type Transaction } from "kysely";
import type { Clock } from "../clock.js";
import type { RetentionMetrics } from "./metrics.js";
import { type RetentionPolicy, type VersionFacts, versionsToDelete } from "./retention-policy.js";

export interface RetentionSweepDeps {
  readonly db: Kysely<Database>;
  readonly policy: RetentionPolicy;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Devices examined per transaction (always of one tenant). */
  readonly devicesPerBatch?: number;
  readonly metrics?: RetentionMetrics | undefined;
}

/** Rows one sweep deleted (or detached). */
export interface RetentionCounts {
  readonly snapshots: number;
  /** Diffs into a deleted version, with their structured changes. */
  readonly diffs: number;
  readonly changes: number;
  /** Diffs from a deleted version into a kept one: kept, with `from_snapshot_id` set to null. */
  readonly diffsDetached: number;
  readonly devices: number;
}

const DAY_MS = 86_400_000;
const AUDIT_ACTION = "retention_swept";

/**
 * One retention sweep (leader only). Finds devices with versions last seen before the keep-all
 * limit, decides per device with {@link versionsToDelete}, and per tenant batch deletes, in one
 * transaction: the structured changes and diffs into deleted versions, the versions themselves,
 * detaches diffs that started from them, and writes a `retention_swept` audit event with the
 * counts. A device's latest version is never deleted: the policy keeps it, the delete excludes
 * head rows, and the head row's foreign key would refuse it anyway.
 */
export async function sweepRetention(deps: RetentionSweepDeps): Promise<RetentionCounts> {
  const { db, policy } = deps;
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - policy.keepAllDays * DAY_MS);
  const pageSize = deps.devicesPerBatch ?? 100;
  const total = { snapshots: 0, diffs: 0, changes: 0, diffsDetached: 0, devices: 0 };
  let after: { tenantId: string; deviceId: string } | undefined;
  for (;;) {
    const page = await candidateDevices(db, cutoff, after, pageSize);
    if (page.length === 0) break;
    after = page[page.length - 1];
    const byTenant = new Map<string, string[]>();
    for (const { tenantId, deviceId } of page) byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), deviceId]);
    for (const [tenantId, deviceIds] of byTenant) {
      const counts = await db.transaction().execute((trx) => sweepDevices(trx, tenantId, deviceIds, now, policy));
      for (const key of Object.keys(total) as (keyof RetentionCounts)[]) total[key] += counts[key];
    }
    if (page.length < pageSize) break;
  }
  deps.metrics?.deleted.inc({ kind: "snapshots" }, total.snapshots);
  deps.metrics?.deleted.inc({ kind: "diffs" }, total.diffs);
  deps.metrics?.deleted.inc({ kind: "changes" }, total.changes);
  deps.metrics?.sweeps.inc();
  if (total.snapshots > 0) deps.logger.info(total, "retention sweep deleted old versions");
  return total;
}

/** Devices (ordered by tenant, device) with a non-latest version last seen before `cutoff`. */
async function candidateDevices(
  db: Kysely<Database>,
  cutoff: Date,
  after: { tenantId: string; deviceId: string } | undefined,
  limit: number,
): Promise<{ tenantId: string; deviceId: string }[]> {
  const { rows } = await sql<{ tenant_id: string; device_id: string }>`
    select distinct s.tenant_id, s.device_id
    from config_snapshots s
    where s.last_seen_at < ${cutoff}
      and not exists (select 1 from device_latest_snapshot h where h.device_id = s.device_id and h.seq = s.seq)
      ${after ? sql`and (s.tenant_id, s.device_id) > (${after.tenantId}::uuid, ${after.deviceId}::uuid)` : sql``}
    order by s.tenant_id, s.device_id
    limit ${limit}`.execute(db);
  return rows.map((r) => ({ tenantId: r.tenant_id, deviceId: r.device_id }));
}

async function sweepDevices(
  trx: Transaction<Database>,
  tenantId: string,
  deviceIds: readonly string[],
  now: Date,
  policy: RetentionPolicy,
): Promise<RetentionCounts> {
  const { rows } = await sql<{ id: string; device_id: string; last_seen_at: Date; latest: boolean }>`
    select s.id, s.device_id, s.last_seen_at, (h.device_id is not null) as latest
    from config_snapshots s
    left join device_latest_snapshot h on h.device_id = s.device_id and h.seq = s.seq
    where s.device_id = any(${deviceIds}::uuid[])
    order by s.device_id, s.seq`.execute(trx);
  const byDevice = new Map<string, VersionFacts[]>();
  for (const row of rows) {
    const list = byDevice.get(row.device_id) ?? [];
    list.push({ id: row.id, lastSeenAt: row.last_seen_at, latest: row.latest });
    byDevice.set(row.device_id, list);
  }
  const ids = [...byDevice.values()].flatMap((versions) => versionsToDelete(versions, now, policy));
  const none = { snapshots: 0, diffs: 0, changes: 0, diffsDetached: 0, devices: 0 };
  if (ids.length === 0) return none;

  const anyId = sql<string>`any(${ids}::uuid[])`;
  const changes = await trx
    .deleteFrom("config_changes")
    .where("diff_id", "in", (eb) => eb.selectFrom("config_diffs").select("id").where("to_snapshot_id", "=", anyId))
    .executeTakeFirst();
  const diffs = await trx.deleteFrom("config_diffs").where("to_snapshot_id", "=", anyId).executeTakeFirst();
  const detached = await trx
    .updateTable("config_diffs")
    .set({ from_snapshot_id: null })
    .where("from_snapshot_id", "=", anyId)
    .executeTakeFirst();
  const snapshots = await trx
    .deleteFrom("config_snapshots")
    .where("id", "=", anyId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("device_latest_snapshot as h")
            .select("h.device_id")
            .whereRef("h.device_id", "=", "config_snapshots.device_id")
            .whereRef("h.seq", "=", "config_snapshots.seq"),
        ),
      ),
    )
    .returning("device_id")
    .execute();
  const counts: RetentionCounts = {
    snapshots: snapshots.length,
    diffs: Number(diffs.numDeletedRows),
    changes: Number(changes.numDeletedRows),
    diffsDetached: Number(detached.numUpdatedRows),
    devices: new Set(snapshots.map((s) => s.device_id)).size,
  };
  await trx
    .insertInto("audit_events")
    .values({
      tenant_id: tenantId,
      actor: "system",
      action: AUDIT_ACTION,
      target_type: "tenant",
      target_id: tenantId,
      detail: {
        ...counts,
        keepAllDays: policy.keepAllDays,
        dailyDays: policy.dailyDays,
        weeklyDays: policy.weeklyDays,
        monthlyDays: policy.monthlyDays,
        at: now.toISOString(),
      },
    })
    .execute();
  return counts;
}
