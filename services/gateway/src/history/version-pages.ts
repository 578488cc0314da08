import type { Database, RedactedAttributes } from "@netledger/db";
import type { Kysely } from "kysely";
import { beforeCursor, type Cursor, cursorTimeOf, pageOf } from "../api/pagination.js";

/** One stored configuration version, without its content. */
export interface VersionSummary {
  readonly snapshotId: string;
  readonly seq: number;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly collectedAt: string;
  /** Last time a backup found this same configuration. */
  readonly lastSeenAt: string;
  readonly softwareVersion: string | null;
}

/** One structured change, redacted (secret values never appear; `secretChanged` says one changed). */
export interface ChangeView {
  readonly kind: string;
  readonly path: string;
  readonly identity: string;
  readonly summary: string;
  readonly before: RedactedAttributes | null;
  readonly after: RedactedAttributes | null;
  readonly secretChanged: boolean;
}

/** A version in the timeline: what changed since the version before it. */
export interface TimelineEntry extends VersionSummary {
  /** Null for the device's first retained version. */
  readonly previousSnapshotId: string | null;
  readonly addedLines: number;
  readonly removedLines: number;
  readonly changes: readonly ChangeView[];
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface PageRequest {
  readonly tenantId: string;
  readonly deviceId: string;
  /** Decoded from a previous page's `nextCursor`: the last version it showed. */
  readonly cursor?: Cursor;
  readonly limit: number;
}

/** True when the device exists in the tenant (another tenant's device answers false). */
export async function deviceExists(db: Kysely<Database>, tenantId: string, deviceId: string): Promise<boolean> {
  const row = await db
    .selectFrom("devices")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .where("id", "=", deviceId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The device's versions, newest first, one page; null when the device is not the tenant's. */
export async function listVersions(db: Kysely<Database>, page: PageRequest): Promise<Page<VersionSummary> | null> {
  if (!(await deviceExists(db, page.tenantId, page.deviceId))) return null;
  let query = db
    .selectFrom("config_snapshots")
    .select(["id", "seq", "sha256", "size_bytes", "collected_at", "last_seen_at", "software_version"])
    .select(cursorTimeOf("collected_at").as("cursor_at"))
    .where("tenant_id", "=", page.tenantId)
    .where("device_id", "=", page.deviceId)
    .orderBy("seq", "desc")
    .limit(page.limit + 1);
  const { cursor } = page;
  if (cursor !== undefined) {
    // Versions are numbered in ingest order: continue below the cursor's version, or, when
    // retention removed it meanwhile, below its collection time.
    const at = await db
      .selectFrom("config_snapshots")
      .select("seq")
      .where("device_id", "=", page.deviceId)
      .where("id", "=", cursor.id)
      .executeTakeFirst();
    query = at ? query.where("seq", "<", at.seq) : query.where(beforeCursor(cursor, "collected_at"));
  }
  return pageOf(await query.execute(), page.limit, versionSummaryOf);
}

/** A stored version's row as the API shows it, without its content. */
export function versionSummaryOf(row: {
  id: string;
  seq: number;
  sha256: string;
  size_bytes: number;
  collected_at: Date | string;
  last_seen_at: Date | string;
  software_version: string | null;
}): VersionSummary {
  return {
    snapshotId: row.id,
    seq: row.seq,
    sha256: row.sha256,
    sizeBytes: row.size_bytes,
    collectedAt: iso(row.collected_at),
    lastSeenAt: iso(row.last_seen_at),
    softwareVersion: row.software_version,
  };
}

/**
 * The device's timeline: each version with the diff that introduced it (line counts and
 * structured changes, as the ingestor stored them), newest first; null when the device is not
 * the tenant's.
 */
export async function listTimeline(db: Kysely<Database>, page: PageRequest): Promise<Page<TimelineEntry> | null> {
  const versions = await listVersions(db, page);
  if (!versions) return null;
  const ids = versions.items.map((v) => v.snapshotId);
  if (ids.length === 0) return { items: [], nextCursor: null };
  const diffs = await db
    .selectFrom("config_diffs")
    .select(["id", "from_snapshot_id", "to_snapshot_id", "added_lines", "removed_lines"])
    .where("device_id", "=", page.deviceId)
    .where("to_snapshot_id", "in", ids)
    .execute();
  const diffIds = diffs.map((d) => d.id);
  const changes = diffIds.length
    ? await db
        .selectFrom("config_changes")
        .select([
          "diff_id",
          "kind",
          "path",
          "identity",
          "summary",
          "before_attributes",
          "after_attributes",
          "secret_changed",
        ])
        .where("device_id", "=", page.deviceId)
        .where("diff_id", "in", diffIds)
        .orderBy("diff_id")
        .orderBy("ordinal")
        .execute()
    : [];
  const changesByDiff = new Map<string, ChangeView[]>();
  for (const c of changes) {
    const list = changesByDiff.get(c.diff_id) ?? [];
    list.push({
      kind: c.kind,
      path: c.path,
      identity: c.identity,
      summary: c.summary,
      before: c.before_attributes,
      after: c.after_attributes,
      secretChanged: c.secret_changed,
    });
    changesByDiff.set(c.diff_id, list);
  }
  const diffByTarget = new Map(diffs.map((d) => [d.to_snapshot_id, d]));
  return {
    nextCursor: versions.nextCursor,
    items: versions.items.map((v): TimelineEntry => {
      const diff = diffByTarget.get(v.snapshotId);
      return {
        ...v,
        previousSnapshotId: diff?.from_snapshot_id ?? null,
        addedLines: diff?.added_lines ?? 0,
        removedLines: diff?.removed_lines ?? 0,
        changes: diff ? (changesByDiff.get(diff.id) ?? []) : [],
      };
    }),
  };
}

/** A timestamp column as RFC 3339 (never null, unlike `api/validation.ts` `iso`). */
export function iso(value: Date | string): string {
  return new Date(value).toISOString();
}
