import type { Database, NewJobOutcome } from "@netledger/db";
import type { Transaction } from "kysely";

/**
 * Records the outcome of a job (messages carrying a `jobId`). A success is final; a failure is
 * replaced by a later failure or by a success of the same job (a retried delivery).
 */
export async function recordJobOutcome(trx: Transaction<Database>, outcome: NewJobOutcome): Promise<void> {
  await trx
    .insertInto("job_outcomes")
    .values(outcome)
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
    )
    .execute();
}
