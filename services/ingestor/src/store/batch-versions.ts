import type { ChangeCounts, Driver, SnapshotEvent } from "@netledger/contracts";
import type { Database, SnapshotRef } from "@netledger/db";
import type { Sealer } from "@netledger/platform";
import { sql, type Transaction } from "kysely";
import type { IngestAudit } from "../audit/audit.js";
import type { ConfigDiffer } from "../diff/diff-threads.js";
import { changeRows, countChanges, diffRow } from "../diff/store-diff.js";
import { type DeviceState, successUpdate } from "../status/device-status.js";
import type { DeviceUpdateRow } from "../status/device-status-batch.js";
import type { IngestedSnapshotOutcome, OpenedSnapshot, ReceivedSnapshot } from "./ingest-snapshot.js";
import type { MessageRecords } from "./message-records.js";
import { diffAudit, ingestedEvent, jobOf, NO_CHANGES, receiptOf, successOf, versionAudit } from "./snapshot-records.js";

/** The device's latest version as the batch reads it. */
export interface BatchLatest extends SnapshotRef {
  readonly normalization_version: number;
}

/** A message of a batch and the device row locked for it (opened, or a `stored` reference). */
export interface BatchItem<S extends ReceivedSnapshot = ReceivedSnapshot> {
  readonly snapshot: S;
  readonly device: DeviceState;
  readonly latest: BatchLatest;
}

/** A device's first version in a batch (no latest yet), opened, and the device row locked for it. */
export interface FirstVersionItem {
  readonly snapshot: OpenedSnapshot;
  readonly device: DeviceState;
}

/** What the set-based writers leave for the batch's last two statements. */
export interface BatchWrites {
  readonly updates: DeviceUpdateRow[];
  readonly records: MessageRecords[];
}

/** Rows of `config_changes` per statement (11 parameters each, well under PostgreSQL's 65,535). */
const CHANGE_ROWS_PER_STATEMENT = 2_000;

/**
 * Messages equal to their device's latest version, recorded as `saveSnapshot` (unchanged: the
 * latest's `last_seen_at` moves) and `recordSuccess` would: one statement here for all of them;
 * their device updates and records are added to `writes`.
 */
export async function recordUnchanged(
  trx: Transaction<Database>,
  items: readonly BatchItem[],
  writes: BatchWrites,
): Promise<IngestedSnapshotOutcome[]> {
  if (items.length === 0) return [];
  const seen = JSON.stringify(items.map(({ snapshot, latest }) => ({ id: latest.id, at: snapshot.event.collectedAt })));
  await sql`
    update config_snapshots as s set last_seen_at = greatest(s.last_seen_at, v.at)
    from jsonb_to_recordset(${seen}::jsonb) as v(id uuid, at timestamptz)
    where s.id = v.id`.execute(trx);
  return items.map(({ snapshot: { event }, device, latest }) => {
    const { update, audits } = successUpdate(device, successOf(event, "unchanged"));
    const ingested = ingestedEvent(event, latest, false, NO_CHANGES);
    writes.updates.push({ id: device.id, update });
    writes.records.push({
      audits: [versionAudit(event, "unchanged", latest, false), ...audits],
      job: jobOf(event, {
        outcome: "unchanged",
        error_code: null,
        snapshot_id: latest.id,
        at: new Date(event.collectedAt),
      }),
      receipt: receiptOf(event, ingested),
    });
    return { kind: "unchanged", event: ingested };
  });
}

/**
 * First versions of their devices, stored as `saveSnapshot` (seq 1, the device's head created) and
 * `recordSuccess` (a key not pinned yet is pinned) would: two statements for all of them; their
 * device updates and records are added to `writes`.
 */
export async function storeFirstVersions(
  trx: Transaction<Database>,
  items: readonly FirstVersionItem[],
  writes: BatchWrites,
): Promise<IngestedSnapshotOutcome[]> {
  if (items.length === 0) return [];
  const versions = await insertVersions(
    trx,
    items.map(({ snapshot }) => ({ snapshot, seq: 1 })),
  );
  await trx
    .insertInto("device_latest_snapshot")
    .values(versions.map(({ device_id, seq }) => ({ device_id, seq })))
    .execute();
  return items.map(({ snapshot: { event }, device }, i) =>
    recordStored(writes, event, device, versions[i]!, NO_CHANGES, null),
  );
}

/**
 * A stored version's device update and records, as `ingestSnapshot` writes them: audits of the
 * version, its diff (if any) and the device status, the job outcome and the receipt.
 */
function recordStored(
  writes: BatchWrites,
  event: SnapshotEvent,
  device: DeviceState,
  version: SnapshotRef,
  counts: ChangeCounts,
  diff: IngestAudit | null,
): IngestedSnapshotOutcome {
  const { update, audits } = successUpdate(device, successOf(event, "success"));
  const ingested = ingestedEvent(event, version, true, counts);
  writes.updates.push({ id: device.id, update });
  writes.records.push({
    audits: [versionAudit(event, "stored", version, false), ...(diff ? [diff] : []), ...audits],
    job: jobOf(event, {
      outcome: "stored",
      error_code: null,
      snapshot_id: version.id,
      at: new Date(event.collectedAt),
    }),
    receipt: receiptOf(event, ingested),
  });
  return { kind: "stored", event: ingested };
}

/** Inserts one version per item (each of a different device) in one statement; rows in item order. */
async function insertVersions(
  trx: Transaction<Database>,
  items: readonly { readonly snapshot: OpenedSnapshot; readonly seq: number }[],
): Promise<{ id: string; seq: number; sha256: string; device_id: string }[]> {
  const stored = await trx
    .insertInto("config_snapshots")
    .values(
      items.map(({ snapshot: { event, sealed }, seq }) => ({
        tenant_id: event.tenantId,
        device_id: event.deviceId,
        seq,
        sha256: event.sha256,
        size_bytes: event.bytes,
        content_sealed: sealed,
        collected_at: new Date(event.collectedAt),
        last_seen_at: new Date(event.collectedAt),
        normalization_version: event.normalizationVersion,
        software_version: event.softwareVersion,
        source_msg_id: event.msgId,
      })),
    )
    .returning(["id", "seq", "sha256", "device_id"])
    .execute();
  return items.map(({ snapshot: { event } }) => {
    const row = stored.find((candidate) => candidate.device_id === event.deviceId);
    if (!row) throw new Error("a stored version is missing from the insert's result");
    return row;
  });
}

/**
 * New versions following their device's latest (checked by the caller: not a normalization bump,
 * not a lost tail), stored as `saveSnapshot` + `storeDiff` would: the versions, the heads, the
 * diffs and their structured changes in four statements for all of them; their device updates
 * and records are added to `writes`. `previousText` is each latest's full text.
 */
export async function storeNewVersions(
  trx: Transaction<Database>,
  sealer: Sealer,
  differ: ConfigDiffer,
  items: readonly (BatchItem<OpenedSnapshot> & { readonly previousText: string })[],
  writes: BatchWrites,
): Promise<IngestedSnapshotOutcome[]> {
  if (items.length === 0) return [];
  const diffs = await Promise.all(
    items.map(({ snapshot: { event, text }, latest, previousText }) =>
      differ.diff(event.driver as Driver, previousText, text, {
        before: latest.normalization_version,
        after: event.normalizationVersion,
      }),
    ),
  );
  const versions = await insertVersions(
    trx,
    items.map(({ snapshot, latest }) => ({ snapshot, seq: latest.seq + 1 })),
  );
  const heads = JSON.stringify(versions.map(({ device_id, seq }) => ({ device_id, seq })));
  await sql`
    update device_latest_snapshot as h set seq = v.seq, updated_at = now()
    from jsonb_to_recordset(${heads}::jsonb) as v(device_id uuid, seq integer)
    where h.device_id = v.device_id`.execute(trx);

  const inputs = items.map(({ snapshot: { event }, latest }, i) => ({
    tenantId: event.tenantId,
    deviceId: event.deviceId,
    fromSnapshotId: latest.id,
    toSnapshotId: versions[i]!.id,
    diff: diffs[i]!,
  }));
  const diffRows = await trx
    .insertInto("config_diffs")
    .values(inputs.map((input) => diffRow(sealer, input)))
    .returning(["id", "to_snapshot_id"])
    .execute();
  const diffIds = inputs.map((input) => {
    const row = diffRows.find((candidate) => candidate.to_snapshot_id === input.toSnapshotId);
    if (!row) throw new Error("a stored diff is missing from the insert's result");
    return row.id;
  });
  const changes = inputs.flatMap((input, i) => changeRows(diffIds[i]!, input));
  for (let start = 0; start < changes.length; start += CHANGE_ROWS_PER_STATEMENT) {
    await trx
      .insertInto("config_changes")
      .values(changes.slice(start, start + CHANGE_ROWS_PER_STATEMENT))
      .execute();
  }

  return items.map(({ snapshot: { event }, device, latest }, i) => {
    const version = versions[i]!;
    const counts = countChanges(diffs[i]!.changes);
    const diff = diffAudit(event, diffIds[i]!, latest, version, diffs[i]!, counts);
    return recordStored(writes, event, device, version, counts, diff);
  });
}
