import type { Database } from "@netledger/db";
import type { Logger } from "@netledger/platform";
import type { Kysely } from "kysely";
import { sweepReceipts } from "../store/receipts.js";

/** The subset of `@nats-io/obj` ObjectStore the sweep needs. */
export interface SweepableBlobStore {
  list(): Promise<readonly { name: string; mtime: string; deleted: boolean }[]>;
  delete(name: string): Promise<unknown>;
}

/**
 * Deletes snapshot blobs older than `before`. Once older than the snapshots stream's max age no
 * message can point at a blob any more: it is an orphan (its publish failed, or its deletion
 * after commit did). Safe to run from several replicas at once.
 */
export async function sweepOrphanBlobs(blobs: SweepableBlobStore, before: Date): Promise<number> {
  let deleted = 0;
  for (const info of await blobs.list()) {
    if (info.deleted || Date.parse(info.mtime) >= before.getTime()) continue;
    await blobs.delete(info.name).then(
      () => deleted++,
      () => {}, // another replica's sweep got it first
    );
  }
  return deleted;
}

export interface HousekeepingOptions {
  readonly db: Kysely<Database>;
  readonly blobs: SweepableBlobStore;
  /** Snapshots stream max age plus its duplicate window: nothing older can be delivered again. */
  readonly horizonMs: number;
  readonly intervalMs: number;
  readonly logger: Logger;
}

/** Runs both sweeps now and every `intervalMs`; `stop()` ends it. */
export function startHousekeeping(options: HousekeepingOptions): { stop(): void } {
  const run = async () => {
    const before = new Date(Date.now() - options.horizonMs);
    try {
      const blobs = await sweepOrphanBlobs(options.blobs, before);
      const receipts = await sweepReceipts(options.db, before);
      if (blobs + receipts > 0) options.logger.info({ blobs, receipts }, "swept orphaned blobs and old receipts");
    } catch (err) {
      options.logger.warn({ err }, "sweep failed; next run retries");
    }
  };
  void run();
  const timer = setInterval(() => void run(), options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
