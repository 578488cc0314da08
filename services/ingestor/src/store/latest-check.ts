import type { BackupJob, Driver, SnapshotEvent } from "@netledger/contracts";
import { comparableTexts, type Database, deviceTargetOf } from "@netledger/db";
import { lostTail, sha256Hex } from "@netledger/drivers";
import { deviceSealAad, openSealedText, type Sealer } from "@netledger/platform";
import { sql, type Transaction } from "kysely";

/** The device's latest stored version, as the checks before storing read it. */
export interface LatestVersion {
  readonly id: string;
  readonly seq: number;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly normalizationVersion: number;
}

export type LatestCheck =
  /** No latest version, or the same sha256: `saveSnapshot` decides (first version or unchanged). */
  | { readonly kind: "plain"; readonly marker: boolean }
  /**
   * Differs from the latest only by a normalization bump: the same config. Recorded as unchanged
   * against the latest (its row is kept: see the ingestor README).
   */
  | { readonly kind: "same_config"; readonly latest: LatestVersion; readonly marker: boolean }
  /** A new version; `previousText` is the latest's full text as stored (for the diff). */
  | {
      readonly kind: "new";
      readonly latest: LatestVersion;
      readonly previousText: string;
      /** The same shortened text as a held-back snapshot: stored now (the device lost that tail). */
      readonly confirmsTruncation: boolean;
      readonly marker: boolean;
    }
  /** Looks like the latest with its tail lost: held back. `recheck` is the job to publish, if any. */
  | {
      readonly kind: "suspected";
      readonly latest: LatestVersion;
      readonly attempt: number;
      readonly recheck: BackupJob | null;
    };

/** Re-collections asked for one held-back text before the ingestor stops asking (scheduled backups go on). */
export const MAX_RECHECKS = 2;
/** A marker older than this is forgotten: the next shortened snapshot is held back afresh. */
export const RECHECK_MARKER_TTL_MS = 24 * 3_600_000;

interface LatestRow {
  id: string;
  seq: number;
  sha256: string;
  size_bytes: number;
  normalization_version: number;
  content_sealed: Uint8Array | null;
  suspect_sha256: string | null;
  attempts: number | null;
  asked_at: Date | null;
}

/**
 * Compares an incoming snapshot with the device's latest stored version before anything is
 * stored (the device row is locked by the caller, so the latest cannot move meanwhile). One
 * query; the latest's content is read only when the sha256 differs.
 * - Different normalization versions: both texts are made comparable ({@link comparableTexts});
 *   equal texts are the same config (`same_config`), never a new version.
 * - A new version whose text is the latest's without its last lines (`lostTail`) is held back
 *   (`suspected`) and one re-collection is asked, unless it repeats a held-back text (same sha256)
 *   under a fresh marker: then it is stored (`confirmsTruncation`).
 * A held-back snapshot writes or refreshes the device's marker here.
 */
export async function checkAgainstLatest(
  trx: Transaction<Database>,
  sealer: Sealer,
  event: SnapshotEvent,
  text: string,
  now: Date,
): Promise<LatestCheck> {
  const { rows } = await sql<LatestRow>`
    select s.id, s.seq, s.sha256, s.size_bytes, s.normalization_version,
      case when s.sha256 <> ${event.sha256} then s.content_sealed end as content_sealed,
      r.suspect_sha256, r.attempts, r.asked_at
    from device_latest_snapshot h
    join config_snapshots s on s.device_id = h.device_id and s.seq = h.seq
    left join snapshot_rechecks r on r.device_id = h.device_id
    where h.device_id = ${event.deviceId}`.execute(trx);
  const row = rows[0];
  const marker = row?.suspect_sha256 != null;
  if (!row?.content_sealed) return { kind: "plain", marker };

  const latest: LatestVersion = {
    id: row.id,
    seq: row.seq,
    sha256: row.sha256,
    sizeBytes: row.size_bytes,
    normalizationVersion: row.normalization_version,
  };
  const previousText = openSealedText(sealer, deviceSealAad(event.tenantId, event.deviceId), row.content_sealed);
  const comparison = compareWithLatest(event, text, {
    text: previousText,
    normalizationVersion: latest.normalizationVersion,
  });
  if (comparison === "same_config") return { kind: "same_config", latest, marker };
  if (comparison === "new") return { kind: "new", latest, previousText, confirmsTruncation: false, marker };

  const fresh = row.asked_at !== null && now.getTime() - row.asked_at.getTime() < RECHECK_MARKER_TTL_MS;
  if (fresh && row.suspect_sha256 === event.sha256) {
    return { kind: "new", latest, previousText, confirmsTruncation: true, marker };
  }
  const attempt = fresh ? (row.attempts ?? 0) + 1 : 1;
  const recheck = attempt <= MAX_RECHECKS ? await recheckJob(trx, event, latest, now) : null;
  await trx
    .insertInto("snapshot_rechecks")
    .values({
      device_id: event.deviceId,
      tenant_id: event.tenantId,
      suspect_msg_id: event.msgId,
      suspect_sha256: event.sha256,
      recheck_job_id: recheck?.jobId ?? null,
      attempts: attempt,
      asked_at: fresh && row.asked_at ? row.asked_at : now,
    })
    .onConflict((oc) =>
      oc.column("device_id").doUpdateSet((eb) => ({
        tenant_id: eb.ref("excluded.tenant_id"),
        suspect_msg_id: eb.ref("excluded.suspect_msg_id"),
        suspect_sha256: eb.ref("excluded.suspect_sha256"),
        recheck_job_id: eb.ref("excluded.recheck_job_id"),
        attempts: eb.ref("excluded.attempts"),
        asked_at: eb.ref("excluded.asked_at"),
      })),
    )
    .execute();
  return { kind: "suspected", latest, attempt, recheck };
}

/**
 * How a snapshot's text compares with the latest version's (sha256 differing), once both are
 * comparable ({@link comparableTexts}): the same config (a normalization bump), the latest with
 * its last lines lost (`lostTail`), or a new version.
 */
export function compareWithLatest(
  event: SnapshotEvent,
  text: string,
  latest: { readonly text: string; readonly normalizationVersion: number },
): "same_config" | "lost_tail" | "new" {
  const [before, after] = comparableTexts(event.driver as Driver, latest, {
    text,
    normalizationVersion: event.normalizationVersion,
  });
  if (before === after) return "same_config";
  return lostTail(before, after) ? "lost_tail" : "new";
}

/** Removes the device's held-back marker (a snapshot was stored or found unchanged). */
export async function clearRecheckMarker(trx: Transaction<Database>, deviceId: string): Promise<void> {
  await trx.deleteFrom("snapshot_rechecks").where("device_id", "=", deviceId).execute();
}

/**
 * Longest re-collection job id kept readable: the collector derives its message ids from the job
 * id (`job:<jobId>`, `job-failed:<jobId>:<attempt>`), which must stay within 200 characters.
 */
const MAX_READABLE_JOB_ID = 120;

/**
 * Id (and JetStream msg id) of the re-collection asked for a held-back snapshot: derived from its
 * msg id, so a redelivery or a retried transaction enqueues it once. A long msg id is hashed.
 */
export function recheckJobId(suspectMsgId: string): string {
  return derivedJobId("recheck", suspectMsgId);
}

/** Id of the re-read asked for a `stored` reference to a version that is gone; derived as {@link recheckJobId}. */
export function rereadJobId(msgId: string): string {
  return derivedJobId("reread", msgId);
}

function derivedJobId(prefix: string, msgId: string): string {
  const id = `${prefix}:${msgId}`;
  return id.length <= MAX_READABLE_JOB_ID ? id : `${prefix}:${sha256Hex(msgId)}`;
}

/**
 * The re-collection job, built as the scheduler builds its jobs (`deviceTargetOf`); null when the
 * device's driver is unknown to this build (no collector could run it).
 */
function recheckJob(
  trx: Transaction<Database>,
  event: SnapshotEvent,
  latest: LatestVersion,
  now: Date,
): Promise<BackupJob | null> {
  return deviceJob(trx, event, recheckJobId(event.msgId), now, latest);
}

/**
 * The re-read of a device whose `stored` reference named a version that is gone, built as the
 * scheduler builds its jobs, with the device's latest version as it now stands (whose sha256 the
 * device's text does not have, so the collector sends it); null for a driver unknown to this build.
 */
export async function rereadJob(
  trx: Transaction<Database>,
  event: SnapshotEvent,
  now: Date,
): Promise<BackupJob | null> {
  const latest = await trx
    .selectFrom("device_latest_snapshot as h")
    .innerJoin("config_snapshots as s", (join) =>
      join.onRef("s.device_id", "=", "h.device_id").onRef("s.seq", "=", "h.seq"),
    )
    .select(["s.size_bytes as sizeBytes", "s.sha256"])
    .where("h.device_id", "=", event.deviceId)
    .executeTakeFirst();
  return deviceJob(trx, event, rereadJobId(event.msgId), now, latest ?? null);
}

async function deviceJob(
  trx: Transaction<Database>,
  event: SnapshotEvent,
  jobId: string,
  now: Date,
  latest: Pick<LatestVersion, "sizeBytes" | "sha256"> | null,
): Promise<BackupJob | null> {
  const row = await trx
    .selectFrom("devices")
    .select([
      "name",
      "host",
      "port",
      "driver",
      "credentials_sealed",
      "host_key_fingerprint",
      "host_key_type",
      "software_version",
    ])
    .where("id", "=", event.deviceId)
    .executeTakeFirstOrThrow();
  const device = deviceTargetOf({
    ...row,
    last_snapshot_bytes: latest?.sizeBytes ?? null,
    last_snapshot_sha256: latest?.sha256 ?? null,
  });
  if (device === null) return null;
  return {
    jobId,
    tenantId: event.tenantId,
    deviceId: event.deviceId,
    device,
    dueAt: now.toISOString(),
  };
}
