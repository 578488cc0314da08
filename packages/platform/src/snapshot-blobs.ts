import { type NatsConnection, nanos } from "@nats-io/nats-core";
import { type ObjectStore, Objm, StorageType } from "@nats-io/obj";
import type { Wire } from "@netledger/contracts";
import { BlobReadTimeoutError, JetStreamSetupError } from "./errors.js";

/** Blobs live as long as the snapshots stream keeps the messages that point at them. */
export const SNAPSHOT_BLOB_TTL_MS = 14 * 24 * 60 * 60 * 1_000;

/**
 * Opens (creating when missing) the object store bucket for snapshot content too large to go
 * inline (`wire.snapshotBlobBucket`): file storage, 14-day TTL. Content is chunked by the client
 * (128 KiB chunks), so blobs far above the server's max_payload fit.
 *
 * Verified on nats-server 2.9.10: create, put/get of multi-MB blobs and delete work (the client
 * only asks for `allow_direct` and `allow_rollup_hdrs`, both 2.9 features). An existing bucket is
 * opened as it is: a changed TTL is not applied to it.
 */
export async function openSnapshotBlobs(nc: NatsConnection, wire: Wire): Promise<ObjectStore> {
  const objm = new Objm(nc);
  const options = { ttl: nanos(SNAPSHOT_BLOB_TTL_MS), storage: StorageType.File };
  try {
    return await objm.create(wire.snapshotBlobBucket, options);
  } catch (first) {
    // A replica starting at the same moment may have created it between our info and add.
    try {
      return await objm.create(wire.snapshotBlobBucket, options);
    } catch (err) {
      throw new JetStreamSetupError(
        `bucket ${wire.snapshotBlobBucket}`,
        err instanceof Error ? err.message : String(err),
        {
          cause: new AggregateError([first, err]),
        },
      );
    }
  }
}

/** What {@link getBlobWithin} needs of an object store (a real ObjectStore fits). */
export type BlobReader = Pick<ObjectStore, "get" | "info">;

/**
 * A blob's bytes, null when it does not exist or was deleted, like `ObjectStore.getBlob`, but
 * never waiting longer than `timeoutMs` for its chunks. `@nats-io/obj` reads the chunks through a
 * consumer that waits for them indefinitely: a blob deleted (its chunks purged) after its info was
 * read would hold the reader, and the batch that needs it, forever. On timeout the read is
 * cancelled (its consumer stopped); a blob deleted meanwhile gives null, any other a
 * {@link BlobReadTimeoutError} (the caller retries the message later).
 */
export async function getBlobWithin(store: BlobReader, name: string, timeoutMs: number): Promise<Uint8Array | null> {
  const result = await store.get(name);
  if (result === null) return null;
  const reader = result.data.getReader();
  // The read settles through the stream; its `error` promise would reject unobserved after a cancel.
  result.error.catch(() => {});
  const chunks: Uint8Array[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), timedOut]);
      if (next === "timeout") {
        await reader.cancel().catch(() => {});
        const info = await store.info(name);
        if (info === null || info.deleted) return null;
        throw new BlobReadTimeoutError(name, timeoutMs);
      }
      if (next.done) break;
      chunks.push(next.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks);
}
