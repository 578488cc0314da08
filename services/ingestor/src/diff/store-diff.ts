import type { ChangeCounts } from "@netledger/contracts";
import type { Database, NewConfigChange, NewConfigDiff, VersionDiff } from "@netledger/db";
import type { StructuredChange } from "@netledger/drivers";
import { deviceSealAad, type Sealer, sealText } from "@netledger/platform";
import type { Transaction } from "kysely";

/** Counts of structured changes by kind (all zero for none). */
export function countChanges(changes: readonly StructuredChange[]): ChangeCounts {
  const counts = { added: 0, removed: 0, modified: 0, moved: 0 };
  for (const change of changes) counts[change.kind]++;
  return counts;
}

export interface StoredDiffInput {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly fromSnapshotId: string;
  readonly toSnapshotId: string;
  readonly diff: VersionDiff;
}

/**
 * Stores the consecutive diff (redacted unified text, sealed for the device) and its structured
 * changes, in order. Returns the diff row id.
 */
export async function storeDiff(trx: Transaction<Database>, sealer: Sealer, input: StoredDiffInput): Promise<string> {
  const row = await trx
    .insertInto("config_diffs")
    .values(diffRow(sealer, input))
    .returning("id")
    .executeTakeFirstOrThrow();
  const changes = changeRows(row.id, input);
  if (changes.length > 0) await trx.insertInto("config_changes").values(changes).execute();
  return row.id;
}

/** The `config_diffs` row of `input`: the redacted unified text sealed for the device. */
export function diffRow(sealer: Sealer, input: StoredDiffInput): NewConfigDiff {
  const { diff } = input;
  return {
    device_id: input.deviceId,
    from_snapshot_id: input.fromSnapshotId,
    to_snapshot_id: input.toSnapshotId,
    diff_sealed: sealText(sealer, deviceSealAad(input.tenantId, input.deviceId), diff.unified),
    added_lines: diff.added,
    removed_lines: diff.removed,
  };
}

/** The `config_changes` rows of the diff `diffId`, in order. */
export function changeRows(diffId: string, input: StoredDiffInput): NewConfigChange[] {
  return input.diff.changes.map((change, ordinal) => ({
    diff_id: diffId,
    device_id: input.deviceId,
    ordinal,
    kind: change.kind,
    path: change.path,
    identity: change.identity,
    summary: change.summary,
    before_attributes: change.before ? { ...change.before } : null,
    after_attributes: change.after ? { ...change.after } : null,
    secret_changed: change.secretChanged,
  }));
}
