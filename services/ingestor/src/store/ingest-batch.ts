import type { BackupJob, IngestedEvent } from "@netledger/contracts";
import type { Database, JsonObject } from "@netledger/db";
import type { Sealer } from "@netledger/platform";
import { sql, type Transaction } from "kysely";
import { type DeviceState, successUpdate } from "../status/device-status.js";
import { lockDevices, updateDevices } from "../status/device-status-batch.js";
import {
  type IngestedSnapshotOutcome,
  ingestedEvent,
  ingestSnapshot,
  jobOf,
  messageDetail,
  NO_CHANGES,
  type OpenedSnapshot,
  receiptOf,
} from "./ingest-snapshot.js";
import { type MessageRecords, writeBatchRecords } from "./message-records.js";

/** Publishes a held-back snapshot's re-collection job; called before commit. */
export type PublishRecheck = (job: BackupJob) => Promise<void>;

interface LatestRow {
  device_id: string;
  id: string;
  seq: number;
  sha256: string;
  marker: boolean;
}

/**
 * {@link ingestSnapshot} for a batch of messages in ONE transaction (the caller's), with the rows
 * one-by-one ingestion in stream order would write. Returns each message's outcome, in order.
 *
 * The common case, a device's only message in the batch repeating its latest version (same
 * sha256, host key as pinned, no held-back marker), is written set-based: the batch's devices are
 * locked in one statement, receipts and latest versions read in two, and the unchanged ones
 * recorded in three (`last_seen_at`, device status, audit + job outcome + receipt). Every other
 * message (a new version, a first one, several of one device, a key to pin or a mismatch, a held-
 * back marker, a receipt found inside) goes through `ingestSnapshot` in stream order, in the same
 * transaction, after its device's lock was taken with the others.
 */
export async function ingestSnapshotBatch(
  trx: Transaction<Database>,
  sealer: Sealer,
  snapshots: readonly OpenedSnapshot[],
  publishRecheck: PublishRecheck,
): Promise<IngestedSnapshotOutcome[]> {
  const outcomes: (IngestedSnapshotOutcome | undefined)[] = snapshots.map(() => undefined);
  const byDevice = new Map<string, number[]>();
  for (const [i, { event }] of snapshots.entries()) {
    const list = byDevice.get(event.deviceId);
    if (list) list.push(i);
    else byDevice.set(event.deviceId, [i]);
  }
  const devices = await lockDevices(trx, [...byDevice.keys()]);

  const candidates: { index: number; device: DeviceState }[] = [];
  const oneByOne = new Set<number>();
  for (const indexes of byDevice.values()) {
    const first = snapshots[indexes[0]!]!.event;
    const device = devices.get(first.deviceId);
    if (!device || device.tenant_id !== first.tenantId) {
      for (const i of indexes) outcomes[i] = { kind: "unknown_device" };
    } else if (indexes.length > 1 || device.host_key_fingerprint !== first.hostKeyFingerprint) {
      for (const i of indexes) oneByOne.add(i);
    } else {
      candidates.push({ index: indexes[0]!, device });
    }
  }

  const seen = await seenMessages(
    trx,
    candidates.map(({ index }) => snapshots[index]!.event.msgId),
  );
  const latest = await latestVersions(
    trx,
    candidates.map(({ device }) => device.id),
  );
  const unchanged: { index: number; device: DeviceState; latest: LatestRow }[] = [];
  for (const candidate of candidates) {
    const { event } = snapshots[candidate.index]!;
    const previous = seen.get(event.msgId);
    const head = latest.get(event.deviceId);
    if (previous?.receipt) {
      outcomes[candidate.index] = { kind: "duplicate", event: previous.event as unknown as IngestedEvent | null };
    } else if (!previous && head && !head.marker && head.sha256 === event.sha256) {
      unchanged.push({ ...candidate, latest: head });
    } else {
      oneByOne.add(candidate.index);
    }
  }

  await recordUnchanged(trx, snapshots, unchanged, outcomes);
  for (const i of [...oneByOne].sort((a, b) => a - b)) {
    const result = await ingestSnapshot(trx, sealer, snapshots[i]!);
    if (result.kind === "suspected" && result.recheck) await publishRecheck(result.recheck);
    outcomes[i] = result;
  }
  return outcomes.map((outcome, i) => {
    if (!outcome) throw new Error(`message ${i} of the batch has no outcome`);
    return outcome;
  });
}

/** Messages of the batch with a receipt (and what they announced), or stored before receipts existed. */
async function seenMessages(
  trx: Transaction<Database>,
  msgIds: readonly string[],
): Promise<Map<string, { receipt: boolean; event: JsonObject | null }>> {
  if (msgIds.length === 0) return new Map();
  const rows = await trx
    .selectFrom("ingest_receipts")
    .select(["msg_id", "ingested_event", sql<boolean>`true`.as("receipt")])
    .where("source", "=", "snapshots")
    .where("msg_id", "in", msgIds)
    .unionAll((eb) =>
      eb
        .selectFrom("config_snapshots")
        .select([
          "source_msg_id as msg_id",
          sql<JsonObject | null>`null::jsonb`.as("ingested_event"),
          sql<boolean>`false`.as("receipt"),
        ])
        .where("source_msg_id", "in", msgIds),
    )
    .execute();
  const seen = new Map<string, { receipt: boolean; event: JsonObject | null }>();
  for (const row of rows) {
    if (row.msg_id !== null && (row.receipt || !seen.has(row.msg_id))) {
      seen.set(row.msg_id, { receipt: row.receipt, event: row.ingested_event });
    }
  }
  return seen;
}

/**
 * The latest version of each device and whether it has a held-back marker. Read after the devices
 * were locked (a separate statement: see `saveSnapshot`), so no latest can move meanwhile.
 */
async function latestVersions(
  trx: Transaction<Database>,
  deviceIds: readonly string[],
): Promise<Map<string, LatestRow>> {
  if (deviceIds.length === 0) return new Map();
  const rows = await trx
    .selectFrom("device_latest_snapshot as h")
    .innerJoin("config_snapshots as s", (join) =>
      join.onRef("s.device_id", "=", "h.device_id").onRef("s.seq", "=", "h.seq"),
    )
    .leftJoin("snapshot_rechecks as r", "r.device_id", "h.device_id")
    .select(["h.device_id", "s.id", "s.seq", "s.sha256", sql<boolean>`r.device_id is not null`.as("marker")])
    .where("h.device_id", "in", deviceIds)
    .execute();
  return new Map(rows.map((row) => [row.device_id, row]));
}

/**
 * Records messages equal to their device's latest version, as `saveSnapshot` (unchanged) and
 * `recordSuccess` would, in three statements for all of them.
 */
async function recordUnchanged(
  trx: Transaction<Database>,
  snapshots: readonly OpenedSnapshot[],
  unchanged: readonly { index: number; device: DeviceState; latest: LatestRow }[],
  outcomes: (IngestedSnapshotOutcome | undefined)[],
): Promise<void> {
  if (unchanged.length === 0) return;
  const seen = JSON.stringify(
    unchanged.map(({ index, latest }) => ({ id: latest.id, at: snapshots[index]!.event.collectedAt })),
  );
  await sql`
    update config_snapshots as s set last_seen_at = greatest(s.last_seen_at, v.at)
    from jsonb_to_recordset(${seen}::jsonb) as v(id uuid, at timestamptz)
    where s.id = v.id`.execute(trx);

  const updates: Parameters<typeof updateDevices>[1][number][] = [];
  const records: MessageRecords[] = [];
  for (const { index, device, latest } of unchanged) {
    const { event } = snapshots[index]!;
    const at = new Date(event.collectedAt);
    const { update, audits } = successUpdate(device, {
      at,
      status: "unchanged",
      softwareVersion: event.softwareVersion,
      hostKeyFingerprint: event.hostKeyFingerprint,
      hostKeyType: event.hostKeyType ?? null,
      sourceMsgId: event.msgId,
    });
    updates.push({ id: device.id, update });
    const ingested = ingestedEvent(event, latest, false, NO_CHANGES);
    records.push({
      audits: [
        {
          tenantId: event.tenantId,
          targetType: "snapshot",
          targetId: latest.id,
          action: "config_snapshot_skipped_duplicate",
          detail: { seq: latest.seq, sha256: event.sha256, ...messageDetail(event) },
        },
        ...audits,
      ],
      job: jobOf(event, { outcome: "unchanged", error_code: null, snapshot_id: latest.id, at }),
      receipt: receiptOf(event, ingested),
    });
    outcomes[index] = { kind: "unchanged", event: ingested };
  }
  await updateDevices(trx, updates);
  await writeBatchRecords(trx, records);
}
