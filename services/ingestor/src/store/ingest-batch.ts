import type { BackupJob, IngestedEvent, SnapshotEvent } from "@netledger/contracts";
import type { Database, JsonObject } from "@netledger/db";
import { deviceSealAad, openSealedText, type Sealer } from "@netledger/platform";
import { sql, type Transaction } from "kysely";
import type { ConfigDiffer } from "../diff/diff-threads.js";
import type { DeviceState } from "../status/device-status.js";
import { lockDevices, updateDevices } from "../status/device-status-batch.js";
import {
  type BatchItem,
  type BatchLatest,
  type BatchWrites,
  type FirstVersionItem,
  recordUnchanged,
  storeFirstVersions,
  storeNewVersions,
} from "./batch-versions.js";
import {
  followUpJob,
  type IngestedSnapshotOutcome,
  ingestSnapshot,
  type OpenedSnapshot,
  type ReceivedSnapshot,
} from "./ingest-snapshot.js";
import { compareWithLatest } from "./latest-check.js";
import { writeBatchRecords } from "./message-records.js";

/** Publishes a held-back snapshot's re-collection job (or a re-read); called before commit. */
export type PublishRecheck = (job: BackupJob) => Promise<void>;

interface LatestRow extends BatchLatest {
  readonly device_id: string;
  readonly content_sealed: Uint8Array | null;
  readonly marker: boolean;
}

/**
 * {@link ingestSnapshot} for a batch of messages in ONE transaction (the caller's), with the rows
 * one-by-one ingestion in stream order would write. Returns each message's outcome, in order.
 *
 * The common cases, a device's only message in the batch, host key as pinned (or none pinned
 * yet: pinned here), no held-back marker, and either its first version, or repeating its latest
 * version (same sha256), or a new version following it (not a normalization bump, not a lost
 * tail), are written set-based: the batch's devices locked in one statement (id order), receipts
 * and latest versions read in two, and at most ten more for all of them (`batch-versions.ts`,
 * device status, audit + job outcome + receipt). Every other message (several of one device, a
 * key mismatch, a held-back marker, a suspected truncation, a normalization bump, a `stored`
 * reference to a version other than the latest) goes through `ingestSnapshot` in stream order, in
 * the same transaction, its device locked with the others.
 */
export async function ingestSnapshotBatch(
  trx: Transaction<Database>,
  sealer: Sealer,
  differ: ConfigDiffer,
  snapshots: readonly ReceivedSnapshot[],
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
    } else if (
      indexes.length > 1 ||
      (device.host_key_fingerprint !== null && device.host_key_fingerprint !== first.hostKeyFingerprint)
    ) {
      for (const i of indexes) oneByOne.add(i);
    } else {
      candidates.push({ index: indexes[0]!, device });
    }
  }

  const candidateEvents = candidates.map(({ index }) => snapshots[index]!.event);
  const seen = await seenMessages(
    trx,
    candidateEvents.map((event) => event.msgId),
  );
  const latest = await latestVersions(trx, candidateEvents);
  const firsts: { index: number; item: FirstVersionItem }[] = [];
  const unchanged: { index: number; item: BatchItem }[] = [];
  const changed: { index: number; item: BatchItem<OpenedSnapshot> & { previousText: string } }[] = [];
  for (const { index, device } of candidates) {
    const snapshot = snapshots[index]!;
    const { event } = snapshot;
    const previous = seen.get(event.msgId);
    const head = latest.get(event.deviceId);
    if (previous?.receipt) {
      outcomes[index] = { kind: "duplicate", event: previous.event as unknown as IngestedEvent | null };
    } else if (previous || head?.marker || (!head && snapshot.text === null)) {
      oneByOne.add(index);
    } else if (!head) {
      if (snapshot.text !== null) firsts.push({ index, item: { snapshot, device } });
    } else if (head.sha256 === event.sha256) {
      unchanged.push({ index, item: { snapshot, device, latest: head } });
    } else if (snapshot.text === null) {
      // A `stored` reference to a version other than the latest: read it in ingestSnapshot.
      oneByOne.add(index);
    } else {
      const previousText = head.content_sealed
        ? openSealedText(sealer, deviceSealAad(event.tenantId, event.deviceId), head.content_sealed)
        : null;
      const comparison =
        previousText === null
          ? null
          : compareWithLatest(event, snapshot.text, {
              text: previousText,
              normalizationVersion: head.normalization_version,
            });
      if (previousText !== null && comparison === "new") {
        changed.push({ index, item: { snapshot, device, latest: head, previousText } });
      } else {
        oneByOne.add(index);
      }
    }
  }

  const writes: BatchWrites = { updates: [], records: [] };
  const recorded = [
    ...zip(
      firsts,
      await storeFirstVersions(
        trx,
        firsts.map(({ item }) => item),
        writes,
      ),
    ),
    ...zip(
      unchanged,
      await recordUnchanged(
        trx,
        unchanged.map(({ item }) => item),
        writes,
      ),
    ),
    ...zip(
      changed,
      await storeNewVersions(
        trx,
        sealer,
        differ,
        changed.map(({ item }) => item),
        writes,
      ),
    ),
  ];
  await updateDevices(trx, writes.updates);
  await writeBatchRecords(trx, writes.records);
  for (const [{ index }, outcome] of recorded) outcomes[index] = outcome;

  for (const i of [...oneByOne].sort((a, b) => a - b)) {
    const result = await ingestSnapshot(trx, sealer, snapshots[i]!);
    const job = followUpJob(result);
    if (job) await publishRecheck(job);
    outcomes[i] = result;
  }
  return outcomes.map((outcome, i) => {
    if (!outcome) throw new Error(`message ${i} of the batch has no outcome`);
    return outcome;
  });
}

function zip<A, B>(as: readonly A[], bs: readonly B[]): [A, B][] {
  return as.map((a, i) => [a, bs[i]!]);
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
 * The latest version of each device of `events`, whether it has a held-back marker, and its
 * sealed content when it differs from the event's. Read after the devices were locked (a separate
 * statement: see `saveSnapshot`), so no latest can move meanwhile.
 */
async function latestVersions(
  trx: Transaction<Database>,
  events: readonly SnapshotEvent[],
): Promise<Map<string, LatestRow>> {
  if (events.length === 0) return new Map();
  const incoming = JSON.stringify(events.map((event) => ({ device_id: event.deviceId, sha256: event.sha256 })));
  const { rows } = await sql<LatestRow>`
    select h.device_id, s.id, s.seq, s.sha256, s.normalization_version,
      case when s.sha256 <> m.sha256 then s.content_sealed end as content_sealed,
      r.device_id is not null as marker
    from jsonb_to_recordset(${incoming}::jsonb) as m(device_id uuid, sha256 text)
    join device_latest_snapshot h on h.device_id = m.device_id
    join config_snapshots s on s.device_id = h.device_id and s.seq = h.seq
    left join snapshot_rechecks r on r.device_id = h.device_id`.execute(trx);
  return new Map(rows.map((row) => [row.device_id, row]));
}
