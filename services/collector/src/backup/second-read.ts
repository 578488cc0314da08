import type { BackupLimits } from "./backup-types.js";

/**
 * RouterOS has been seen ending large exports early (around 128 KB over links with latency) with
 * exit status 0. A cut inside a line is caught by the driver's check (no final line end, a
 * dangling continuation, an open quote); a cut exactly between two lines is not visible in the
 * text. Such an export is read a second time and stored only when two reads agree.
 *
 * Read again when the normalized export is at least `limits.secondReadMinBytes`, when it is
 * smaller than the device's latest stored version (`lastSnapshotBytes`), or when the device has
 * no stored version yet (`lastSnapshotBytes: null`; a first version is the baseline the size rule
 * relies on). `undefined` means the sender does not know: only the size rule applies.
 */
export function needsSecondRead(
  normalizedBytes: number,
  lastSnapshotBytes: number | null | undefined,
  limits: Pick<BackupLimits, "secondReadMinBytes">,
): boolean {
  if (normalizedBytes >= limits.secondReadMinBytes) return true;
  if (lastSnapshotBytes === null) return true;
  return lastSnapshotBytes !== undefined && normalizedBytes < lastSnapshotBytes;
}

/** Reads in all, the first included: a third read settles a first read that was cut. */
export const MAX_READS = 3;

/**
 * Reads the export again until two reads agree byte for byte (normalized, so only the header time
 * may differ between the raw reads; compared by sha256 and size), at most {@link MAX_READS} reads
 * in all. Returns the agreed export, or null when no two reads agreed or another read was longer
 * than the agreed one (it proves the agreed text lost something, or the config changed meanwhile:
 * either way, retry later). `readAgain` returns null for a read the driver's check refused.
 *
 * Only digests are compared. `readAgain(keepNormalized)` is asked to keep the normalized text
 * only when its read could be the one returned: the second read can agree with the first alone,
 * whose text is returned then (same sha256 and size: the same bytes), so it is read for its
 * digest only; a later read keeps its text (gzipped as it is read, when large) and is returned
 * when it agrees.
 */
export async function settleReads<Read extends ReadDigest>(
  first: Read,
  readAgain: (keepNormalized: boolean) => Promise<Read | null>,
): Promise<Read | null> {
  const reads: (ReadDigest | null)[] = [digest(first)];
  while (reads.length < MAX_READS) {
    const keep = reads.length > 1;
    const next = await readAgain(keep);
    if (next !== null && reads.some((read) => read !== null && read.sha256 === next.sha256)) {
      if (reads.some((read) => read !== null && read.bytes > next.bytes)) return null;
      return keep ? next : first;
    }
    reads.push(next === null ? null : digest(next));
  }
  return null;
}

/** What comparing reads needs of one (a driver's `NormalizedExport` fits). */
export interface ReadDigest {
  readonly sha256: string;
  readonly bytes: number;
}

function digest(read: ReadDigest): ReadDigest {
  return { sha256: read.sha256, bytes: read.bytes };
}
