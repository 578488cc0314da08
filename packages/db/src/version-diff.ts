import type { Driver } from "@netledger/contracts";
import { getDriver, type StructuredChange, textDiff } from "@netledger/drivers";
import { deviceSealAad, openSealedText, type Sealer } from "@netledger/platform";
import type { Kysely } from "kysely";
import { comparableTexts } from "./comparable-texts.js";
import { SnapshotNotFoundError } from "./errors.js";
import type { Database } from "./schema.js";
import type { SnapshotRef } from "./snapshot-versions.js";

/** What changed between two configuration versions of a device. Holds redacted text only. */
export interface VersionDiff {
  /** Unified diff of the redacted texts; empty when only secrets (or nothing) changed. */
  readonly unified: string;
  readonly added: number;
  readonly removed: number;
  /** Structured changes, in order; a secret's change shows as `secretChanged: true`, never its value. */
  readonly changes: readonly StructuredChange[];
}

/**
 * The one diff of NetLedger: the ingestor stores it for consecutive versions, the gateway
 * computes it on demand between any two (through {@link diffStoredVersions}). Pure.
 * `beforeFull`/`afterFull` are the full normalized texts, secrets included: the structured
 * diff compares them to tell that a secret changed; everything returned is redacted.
 * With `versions` (their normalization versions) and those differ, the older side is normalized
 * again first ({@link comparableTexts}), so a normalization bump never shows as a change.
 */
export function diffConfigTexts(
  driver: Driver,
  beforeText: string,
  afterText: string,
  versions?: { readonly before: number; readonly after: number },
): VersionDiff {
  const [beforeFull, afterFull] = versions
    ? comparableTexts(
        driver,
        { text: beforeText, normalizationVersion: versions.before },
        { text: afterText, normalizationVersion: versions.after },
      )
    : [beforeText, afterText];
  const family = getDriver(driver);
  const redacted = { before: family.redact(beforeFull), after: family.redact(afterFull) };
  const { unified, added, removed } = textDiff(redacted.before, redacted.after);
  return { unified, added, removed, changes: family.structuredChanges(beforeFull, afterFull, redacted) };
}

/** Two stored versions of one device of one tenant. */
export interface StoredVersionsRef {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly fromSnapshotId: string;
  readonly toSnapshotId: string;
}

/** {@link VersionDiff} between two stored versions, with which versions they are. */
export interface StoredVersionsDiff extends VersionDiff {
  readonly from: SnapshotRef;
  readonly to: SnapshotRef;
}

/**
 * Diff between any two stored versions of a device, computed on demand (from → to, in the order
 * given). Opens both sealed texts with `sealer` (AAD of the device), so it runs where the key ring
 * is. Both snapshots must belong to `deviceId` of `tenantId`.
 *
 * @throws SnapshotNotFoundError (`SNAPSHOT_NOT_FOUND`) when the device is not the tenant's or
 *   either snapshot is not the device's (answer 404, never 403).
 * @example
 * const diff = await diffStoredVersions(db, sealer, { tenantId, deviceId, fromSnapshotId, toSnapshotId });
 * diff.unified; diff.changes[0]?.summary;
 */
export async function diffStoredVersions(
  db: Kysely<Database>,
  sealer: Sealer,
  ref: StoredVersionsRef,
): Promise<StoredVersionsDiff> {
  const rows = await db
    .selectFrom("config_snapshots as s")
    .innerJoin("devices as d", (join) =>
      join.onRef("d.id", "=", "s.device_id").onRef("d.tenant_id", "=", "s.tenant_id"),
    )
    .select(["s.id", "s.seq", "s.sha256", "s.content_sealed", "s.normalization_version", "d.driver"])
    .where("s.tenant_id", "=", ref.tenantId)
    .where("s.device_id", "=", ref.deviceId)
    .where("s.id", "in", [ref.fromSnapshotId, ref.toSnapshotId])
    .execute();
  const from = rows.find((row) => row.id === ref.fromSnapshotId);
  const to = rows.find((row) => row.id === ref.toSnapshotId);
  if (!from || !to) throw new SnapshotNotFoundError();
  const aad = deviceSealAad(ref.tenantId, ref.deviceId);
  const diff = diffConfigTexts(
    to.driver as Driver,
    openSealedText(sealer, aad, from.content_sealed),
    openSealedText(sealer, aad, to.content_sealed),
    { before: from.normalization_version, after: to.normalization_version },
  );
  return {
    ...diff,
    from: { id: from.id, seq: from.seq, sha256: from.sha256 },
    to: { id: to.id, seq: to.seq, sha256: to.sha256 },
  };
}
