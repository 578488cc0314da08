import type { Database, IngestSource, JsonObject, NewJobOutcome } from "@netledger/db";
import type { Transaction } from "kysely";
import { auditRow, type IngestAudit } from "../audit/audit.js";

/** What every accepted message writes besides the version itself. */
export interface MessageRecords {
  /** At least one: every accepted message is audited. */
  readonly audits: readonly [IngestAudit, ...IngestAudit[]];
  /** The job's outcome, for messages carrying a `jobId`. */
  readonly job: NewJobOutcome | null;
  readonly receipt: {
    readonly source: IngestSource;
    readonly msgId: string;
    readonly tenantId: string;
    readonly deviceId: string;
    readonly ingestedEvent: JsonObject | null;
  };
}

/**
 * Writes a message's audit rows, job outcome and receipt in ONE statement (data-modifying CTEs):
 * the hot path of ingestion is bound by round trips. A job's success is final; a failure is
 * replaced by a later failure or a success of the same job.
 */
export function writeMessageRecords(trx: Transaction<Database>, records: MessageRecords): Promise<void> {
  return writeBatchRecords(trx, [records]);
}

/**
 * {@link writeMessageRecords} for several messages, still ONE statement. Their job ids must differ
 * (one row cannot be upserted twice by one statement): messages of different devices.
 */
export async function writeBatchRecords(trx: Transaction<Database>, batch: readonly MessageRecords[]): Promise<void> {
  if (batch.length === 0) return;
  const audits = batch.flatMap((records) => records.audits.map(auditRow));
  const receiptRows = batch.map(({ receipt }) => ({
    source: receipt.source,
    msg_id: receipt.msgId,
    tenant_id: receipt.tenantId,
    device_id: receipt.deviceId,
    ingested_event: receipt.ingestedEvent,
  }));
  const jobs = batch.flatMap((records) => (records.job ? [records.job] : []));
  const withAudit = trx.with("audit", (qc) => qc.insertInto("audit_events").values(audits));
  if (jobs.length === 0) {
    await withAudit.insertInto("ingest_receipts").values(receiptRows).execute();
    return;
  }
  await withAudit
    .with("job", (qc) =>
      qc
        .insertInto("job_outcomes")
        .values(jobs)
        .onConflict((oc) =>
          oc
            .column("job_id")
            .doUpdateSet((eb) => ({
              outcome: eb.ref("excluded.outcome"),
              error_code: eb.ref("excluded.error_code"),
              snapshot_id: eb.ref("excluded.snapshot_id"),
              at: eb.ref("excluded.at"),
            }))
            .where("job_outcomes.outcome", "=", "failed"),
        ),
    )
    .insertInto("ingest_receipts")
    .values(receiptRows)
    .execute();
}
