import type { JsMsg } from "@nats-io/jetstream";
import type { SnapshotEvent } from "@netledger/contracts";
import { transactionWithRetry } from "@netledger/db";
import { sha256Hex } from "@netledger/drivers";
import type { IngestContext } from "../consumer/context.js";
import { isDatabaseUnavailable } from "../consumer/database-gate.js";
import { deadLetter } from "../consumer/dead-letter.js";
import { ingestSnapshotBatch } from "./ingest-batch.js";
import type { ReceivedSnapshot } from "./ingest-snapshot.js";
import { findReceipts } from "./receipts.js";
import {
  CONSUMER,
  decodeSnapshotMessage,
  finish,
  handleSnapshotMessage,
  openSnapshot,
  publishRecheck,
  receiptEvent,
  retryLater,
} from "./snapshot-handler.js";

/**
 * Handles a batch of `ingestorSnapshots` deliveries (stream order; the consume loop gives no two
 * running batches the same device) with the outcome and rows {@link handleSnapshotMessage} would
 * give each, in ONE transaction ({@link ingestSnapshotBatch}):
 * decode each (bad ones dead-lettered alone) → one receipt lookup (redeliveries announce again
 * and are acked) → open and sha256-check each → the transaction → after commit, announce all
 * concurrently, delete blobs, ack each. Nothing is acked before its commit.
 *
 * A message whose content cannot be opened takes the one-by-one path after the batch (dead
 * letter, nak or late receipt, exactly as alone). A batch transaction that fails for want of a
 * database naks every message with back-off and closes the gate; one failing for any other
 * reason (a message PostgreSQL rejects, say) is retried one message at a time, so one bad
 * message cannot hold back the others. Never throws.
 */
export async function handleSnapshotBatch(ctx: IngestContext, msgs: readonly JsMsg[]): Promise<void> {
  ctx.metrics.batchMessages.observe(msgs.length);
  if (msgs.length === 1) return handleSnapshotMessage(ctx, msgs[0]!);
  const settling: Promise<void>[] = [];
  const decoded: { msg: JsMsg; event: SnapshotEvent }[] = [];
  for (const msg of msgs) {
    const result = decodeSnapshotMessage(ctx, msg);
    if ("deadLettered" in result) settling.push(result.deadLettered);
    else decoded.push({ msg, event: result.event });
  }

  let receipts: Awaited<ReturnType<typeof findReceipts>>;
  try {
    receipts = await findReceipts(
      ctx.db,
      CONSUMER,
      decoded.map(({ event }) => event.msgId),
    );
  } catch (err) {
    for (const { msg } of decoded) retryLater(ctx, msg, err);
    await Promise.all(settling);
    return;
  }

  const fresh: { msg: JsMsg; event: SnapshotEvent }[] = [];
  for (const item of decoded) {
    const receipt = receipts.get(item.event.msgId);
    if (!receipt) fresh.push(item);
    else settling.push(settle(ctx, item, { kind: "duplicate", event: receiptEvent(receipt.ingestedEvent) }));
  }

  const aside: JsMsg[] = [];
  const opened: { msg: JsMsg; snapshot: ReceivedSnapshot }[] = [];
  await Promise.all(
    fresh.map(async ({ msg, event }) => {
      try {
        opened.push({ msg, snapshot: await openSnapshot(ctx, event) });
      } catch {
        aside.push(msg);
      }
    }),
  );
  opened.sort((a, b) => a.msg.info.streamSequence - b.msg.info.streamSequence);
  const checked = opened.filter(({ msg, snapshot }) => {
    if (snapshot.text === null || sha256Hex(snapshot.text) === snapshot.event.sha256) return true;
    settling.push(deadLetter(ctx, msg, CONSUMER, "sha256", "sha256 of the opened content differs from the event's"));
    return false;
  });

  if (checked.length > 0) {
    const stopTimer = ctx.metrics.transactionSeconds.startTimer({ consumer: CONSUMER });
    try {
      const outcomes = await transactionWithRetry(ctx.db, (trx) =>
        ingestSnapshotBatch(
          trx,
          ctx.sealer,
          ctx.differ,
          checked.map(({ snapshot }) => snapshot),
          (job) => publishRecheck(ctx, job),
        ),
      );
      stopTimer();
      for (const [i, outcome] of outcomes.entries()) {
        const { msg, snapshot } = checked[i]!;
        settling.push(
          outcome.kind === "unknown_device"
            ? deadLetter(ctx, msg, CONSUMER, "unknown_device", "no such device for this tenant")
            : settle(ctx, { msg, event: snapshot.event }, outcome),
        );
      }
    } catch (err) {
      if (isDatabaseUnavailable(err)) {
        for (const { msg } of checked) retryLater(ctx, msg, err);
        for (const msg of aside.splice(0)) retryLater(ctx, msg, err);
      } else {
        ctx.logger.warn(
          { err, messages: checked.length },
          "batch transaction failed; ingesting its messages one by one",
        );
        for (const { msg } of checked) await handleSnapshotMessage(ctx, msg);
      }
    }
  }
  await Promise.all(settling);
  for (const msg of aside.sort((a, b) => a.info.streamSequence - b.info.streamSequence)) {
    await handleSnapshotMessage(ctx, msg);
  }
}

/** After commit: announce, drop the blob, ack; a failure there naks (the receipt makes the retry cheap). */
function settle(
  ctx: IngestContext,
  item: { msg: JsMsg; event: SnapshotEvent },
  outcome: Parameters<typeof finish>[3],
): Promise<void> {
  return finish(ctx, item.msg, item.event, outcome).catch((err: unknown) => retryLater(ctx, item.msg, err));
}
