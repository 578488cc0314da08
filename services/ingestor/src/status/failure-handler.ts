import type { JsMsg } from "@nats-io/jetstream";
import { type BackupFailedEvent, BackupFailedEventCodec, InvalidMessageError } from "@netledger/contracts";
import { transactionWithRetry } from "@netledger/db";
import type { IngestContext } from "../consumer/context.js";
import { isDatabaseUnavailable } from "../consumer/database-gate.js";
import { deadLetter } from "../consumer/dead-letter.js";
import { nakLater } from "../consumer/settle.js";
import { ingestFailure } from "./ingest-failure.js";

const CONSUMER = "events";

/**
 * Handles one delivery of the `ingestorEvents` consumer (backup-failed events) and settles it:
 * one transaction (ingestFailure), then ack. Bad input is dead-lettered; an outage naks with
 * back-off. Never throws.
 */
export async function handleFailureMessage(ctx: IngestContext, msg: JsMsg): Promise<void> {
  let event: BackupFailedEvent;
  try {
    event = BackupFailedEventCodec.decode(msg.data);
  } catch (err) {
    const detail = err instanceof InvalidMessageError ? err.issues.join("; ") : "undecodable";
    return deadLetter(ctx, msg, CONSUMER, "schema", detail);
  }
  if (msg.subject !== ctx.wire.subjects.backupFailed(event.tenantId, event.deviceId)) {
    return deadLetter(ctx, msg, CONSUMER, "subject", "tenant or device differs from the subject");
  }
  try {
    const stopTimer = ctx.metrics.transactionSeconds.startTimer({ consumer: CONSUMER });
    const outcome = await transactionWithRetry(ctx.db, (trx) => ingestFailure(trx, event));
    stopTimer();
    switch (outcome.kind) {
      case "unknown_device":
        return deadLetter(ctx, msg, CONSUMER, "unknown_device", "no such device for this tenant");
      case "duplicate":
        msg.ack();
        ctx.metrics.duplicates.inc({ consumer: CONSUMER });
        ctx.metrics.messages.inc({ consumer: CONSUMER, outcome: "duplicate" });
        break;
      case "recorded":
        msg.ack();
        ctx.metrics.messages.inc({ consumer: CONSUMER, outcome: "failure_recorded" });
        if (outcome.blocked) ctx.metrics.devicesBlocked.inc({ code: event.code });
        break;
    }
    ctx.metrics.pending.set({ consumer: CONSUMER }, msg.info.pending);
  } catch (err) {
    if (isDatabaseUnavailable(err)) ctx.gate.close();
    ctx.logger.error({ err, streamSequence: msg.info.streamSequence }, "failure event not recorded yet; nak");
    nakLater(ctx, msg, CONSUMER);
  }
}
