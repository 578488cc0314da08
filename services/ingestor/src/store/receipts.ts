import type { Database, IngestSource, JsonObject } from "@netledger/db";
import type { Kysely } from "kysely";

/** A message already ingested: what was announced for it (snapshots), if anything. */
export interface Receipt {
  readonly ingestedEvent: JsonObject | null;
}

/** The receipt of an accepted message, or undefined (receipts are written by `writeMessageRecords`). */
export async function findReceipt(
  db: Kysely<Database>,
  source: IngestSource,
  msgId: string,
): Promise<Receipt | undefined> {
  return (await findReceipts(db, source, [msgId])).get(msgId);
}

/** The receipts among `msgIds`, by msg id, in one query. */
export async function findReceipts(
  db: Kysely<Database>,
  source: IngestSource,
  msgIds: readonly string[],
): Promise<Map<string, Receipt>> {
  if (msgIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("ingest_receipts")
    .select(["msg_id", "ingested_event"])
    .where("source", "=", source)
    .where("msg_id", "in", msgIds)
    .execute();
  return new Map(rows.map((row) => [row.msg_id, { ingestedEvent: row.ingested_event }]));
}

/** Deletes receipts older than `before` (no message older than the streams' max age can come back). */
export async function sweepReceipts(db: Kysely<Database>, before: Date): Promise<number> {
  const result = await db.deleteFrom("ingest_receipts").where("received_at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
