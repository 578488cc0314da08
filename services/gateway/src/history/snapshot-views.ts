import { DriverSchema } from "@netledger/contracts";
import {
  type Database,
  diffConfigTexts,
  diffStoredVersions,
  SnapshotNotFoundError,
  type SnapshotRef,
} from "@netledger/db";
import { getDriver, type StructuredChange } from "@netledger/drivers";
import { deviceSealAad, openSealedText, type Sealer } from "@netledger/platform";
import type { Kysely } from "kysely";
import { type VersionSummary, versionSummaryOf } from "./version-pages.js";

/** One stored version with its text: redacted unless an admin asked to reveal secrets. */
export interface SnapshotView extends VersionSummary {
  readonly deviceId: string;
  readonly deviceName: string;
  readonly driver: string;
  /** True when secret values are replaced by the driver's marker. */
  readonly redacted: boolean;
  readonly content: string;
}

/** What changed between two versions (`from` null: the device's first version, everything added). Redacted. */
export interface DiffView {
  readonly deviceId: string;
  readonly from: SnapshotRef | null;
  readonly to: SnapshotRef;
  readonly unified: string;
  readonly added: number;
  readonly removed: number;
  readonly changes: readonly StructuredChange[];
}

export interface SnapshotAddress {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly snapshotId: string;
}

function snapshotRow(db: Kysely<Database>, at: SnapshotAddress) {
  return db
    .selectFrom("config_snapshots as s")
    .innerJoin("devices as d", (join) =>
      join.onRef("d.id", "=", "s.device_id").onRef("d.tenant_id", "=", "s.tenant_id"),
    )
    .where("s.tenant_id", "=", at.tenantId)
    .where("s.device_id", "=", at.deviceId)
    .where("s.id", "=", at.snapshotId);
}

/** A device's snapshot with its text (null when not the tenant's device or not its snapshot). */
export async function readSnapshot(
  db: Kysely<Database>,
  sealer: Sealer,
  at: SnapshotAddress & { readonly reveal: boolean },
): Promise<SnapshotView | null> {
  const row = await snapshotRow(db, at)
    .select([
      "s.id",
      "s.seq",
      "s.sha256",
      "s.size_bytes",
      "s.collected_at",
      "s.last_seen_at",
      "s.software_version",
      "s.content_sealed",
      "d.name",
      "d.driver",
    ])
    .executeTakeFirst();
  if (!row) return null;
  const full = openSealedText(sealer, deviceSealAad(at.tenantId, at.deviceId), row.content_sealed);
  return {
    ...versionSummaryOf(row),
    deviceId: at.deviceId,
    deviceName: row.name,
    driver: row.driver,
    redacted: !at.reveal,
    content: at.reveal ? full : redact(row.driver, full),
  };
}

/**
 * Redacted projection by the device's driver. A driver this build does not know cannot say what
 * is secret, so nothing of the text is shown.
 */
function redact(driver: string, text: string): string {
  const known = DriverSchema.safeParse(driver);
  return known.success ? getDriver(known.data).redact(text) : "";
}

/** `router-{device-name}-{timestamp}.rsc`, safe as a Content-Disposition filename. */
export function downloadFileName(deviceName: string, collectedAt: string): string {
  const name = deviceName.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 100) || "device";
  const stamp = collectedAt.replace(/\.\d+Z$/, "Z").replace(/[-:]/g, "");
  return `router-${name}-${stamp}.rsc`;
}

/** Diff of a snapshot against the device's version before it (null when not found). */
export async function diffWithPrevious(
  db: Kysely<Database>,
  sealer: Sealer,
  at: SnapshotAddress,
): Promise<DiffView | null> {
  const row = await snapshotRow(db, at)
    .select(["s.id", "s.seq", "s.sha256", "s.content_sealed", "d.driver"])
    .executeTakeFirst();
  if (!row) return null;
  const previous = await db
    .selectFrom("config_snapshots")
    .select("id")
    .where("tenant_id", "=", at.tenantId)
    .where("device_id", "=", at.deviceId)
    .where("seq", "<", row.seq)
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  if (previous) return diffBetween(db, sealer, { ...at, fromSnapshotId: previous.id, toSnapshotId: row.id });
  const driver = DriverSchema.safeParse(row.driver);
  if (!driver.success) return null;
  const full = openSealedText(sealer, deviceSealAad(at.tenantId, at.deviceId), row.content_sealed);
  const diff = diffConfigTexts(driver.data, "", full);
  return {
    deviceId: at.deviceId,
    from: null,
    to: { id: row.id, seq: row.seq, sha256: row.sha256 },
    unified: diff.unified,
    added: diff.added,
    removed: diff.removed,
    changes: diff.changes,
  };
}

/** Diff between any two snapshots of one device (null when either is not the tenant's device's). */
export async function diffBetween(
  db: Kysely<Database>,
  sealer: Sealer,
  ref: { tenantId: string; deviceId: string; fromSnapshotId: string; toSnapshotId: string },
): Promise<DiffView | null> {
  try {
    const diff = await diffStoredVersions(db, sealer, ref);
    return {
      deviceId: ref.deviceId,
      from: diff.from,
      to: diff.to,
      unified: diff.unified,
      added: diff.added,
      removed: diff.removed,
      changes: diff.changes,
    };
  } catch (err) {
    if (err instanceof SnapshotNotFoundError) return null;
    throw err;
  }
}
