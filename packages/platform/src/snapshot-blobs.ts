import { type NatsConnection, nanos } from "@nats-io/nats-core";
import { type ObjectStore, Objm, StorageType } from "@nats-io/obj";
import type { Wire } from "@netledger/contracts";
import { JetStreamSetupError } from "./errors.js";

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
