import { type Kysely, sql, type Transaction } from "kysely";
import { SnapshotConflictError } from "./errors.js";
import type { Database, NewConfigSnapshot } from "./schema.js";

/** What a collected configuration brings; `seq` and the timestamps are assigned here. */
export type NewSnapshotVersion = Omit<NewConfigSnapshot, "id" | "seq" | "last_seen_at" | "created_at">;

/** Identity of a stored version, without its (large) sealed content. */
export interface SnapshotRef {
  readonly id: string;
  readonly seq: number;
  readonly sha256: string;
}

export type SaveSnapshotOutcome =
  /** A new version was stored; `previous` is the version it follows (null for the first). */
  | { readonly kind: "stored"; readonly snapshot: SnapshotRef; readonly previous: SnapshotRef | null }
  /** Same sha256 as the latest version: nothing stored, the latest's `last_seen_at` moved. */
  | { readonly kind: "unchanged"; readonly snapshot: SnapshotRef }
  /** This message (source_msg_id) was already stored by an earlier, committed delivery. */
  | { readonly kind: "duplicate"; readonly snapshotId: string };

/** Constraints a concurrent writer of the same device can make us collide on. */
const CONFLICT_CONSTRAINTS = new Set([
  "config_snapshots_device_seq_key",
  "config_snapshots_source_msg_id_key",
  "device_latest_snapshot_pkey",
]);

/**
 * Stores a collected configuration as the device's next version unless it equals the latest
 * (invariant 4). Must run inside a transaction, together with whatever else the caller records
 * for the same message, and the transaction must be retried on {@link SnapshotConflictError}
 * (use {@link transactionWithRetry}).
 *
 * Why this is atomic: the device's head row is locked `FOR UPDATE`, so writers of one device
 * queue up and each compares against the latest committed version. When there is no head row
 * yet (first snapshot), two writers can both see "none"; both then insert seq 1 and the unique
 * (device_id, seq) constraint lets exactly one commit. The other fails with a conflict and its
 * retry finds the winner's version. Versions are numbered in ingest order.
 */
export async function saveSnapshot(
  trx: Transaction<Database>,
  input: NewSnapshotVersion,
): Promise<SaveSnapshotOutcome> {
  // Lock first, read second: in one joined `FOR UPDATE` statement, READ COMMITTED would re-check
  // the locked head row against the snapshot row of the statement's old view and drop it.
  const head = await trx
    .selectFrom("device_latest_snapshot")
    .select("seq")
    .where("device_id", "=", input.device_id)
    .forUpdate()
    .executeTakeFirst();
  // The latest version and a version stored by this message (if any), in one round trip.
  const rows = await trx
    .selectFrom("config_snapshots")
    .select(["id", "seq", "sha256", "device_id", "source_msg_id"])
    .where((eb) =>
      eb.or([
        eb("source_msg_id", "=", input.source_msg_id),
        ...(head ? [eb.and([eb("device_id", "=", input.device_id), eb("seq", "=", head.seq)])] : []),
      ]),
    )
    .execute();
  const seen = rows.find((row) => row.source_msg_id === input.source_msg_id);
  if (seen) return { kind: "duplicate", snapshotId: seen.id };
  const latestRow = head ? rows.find((row) => row.device_id === input.device_id && row.seq === head.seq) : undefined;
  if (head && !latestRow) throw new Error("the device's head names a version that does not exist");
  const latest: SnapshotRef | undefined = latestRow && {
    id: latestRow.id,
    seq: latestRow.seq,
    sha256: latestRow.sha256,
  };

  if (latest?.sha256 === input.sha256) {
    await trx
      .updateTable("config_snapshots")
      .set({ last_seen_at: sql<Date>`greatest(last_seen_at, ${input.collected_at})` })
      .where("id", "=", latest.id)
      .execute();
    return { kind: "unchanged", snapshot: latest };
  }

  const seq = (latest?.seq ?? 0) + 1;
  try {
    const snapshot = await trx
      .insertInto("config_snapshots")
      .values({ ...input, seq, last_seen_at: input.collected_at })
      .returning(["id", "seq", "sha256"])
      .executeTakeFirstOrThrow();
    if (latest) {
      await trx
        .updateTable("device_latest_snapshot")
        .set({ seq, updated_at: sql<Date>`now()` })
        .where("device_id", "=", input.device_id)
        .execute();
    } else {
      await trx.insertInto("device_latest_snapshot").values({ device_id: input.device_id, seq }).execute();
    }
    return { kind: "stored", snapshot, previous: latest ?? null };
  } catch (err) {
    throw asSnapshotConflict(err);
  }
}

/**
 * Runs `work` in a transaction, running it again (up to `attempts` in all) when it fails with a
 * {@link SnapshotConflictError}, a serialization failure or a deadlock: all three mean "a
 * concurrent transaction won; a fresh attempt will see its result".
 */
export async function transactionWithRetry<T>(
  db: Kysely<Database>,
  work: (trx: Transaction<Database>) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (err) {
      if (attempt >= attempts || !isRetryableConflict(err)) throw err;
    }
  }
}

/** True for errors that a fresh attempt of the same transaction can get past. */
export function isRetryableConflict(err: unknown): boolean {
  if (err instanceof SnapshotConflictError) return true;
  const code = pgErrorField(err, "code");
  return code === "40001" || code === "40P01";
}

function asSnapshotConflict(err: unknown): unknown {
  const constraint = pgErrorField(err, "constraint");
  if (pgErrorField(err, "code") === "23505" && constraint && CONFLICT_CONSTRAINTS.has(constraint)) {
    return new SnapshotConflictError(constraint, { cause: err });
  }
  return err;
}

/** Reads a field of a pg or PGlite error (both carry SQLSTATE `code` and `constraint`). */
function pgErrorField(err: unknown, field: "code" | "constraint"): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const value = (err as Record<string, unknown>)[field];
  return typeof value === "string" ? value : undefined;
}
