import type { JsMsg } from "@nats-io/jetstream";
import { DeadLetterCodec } from "@netledger/contracts";
import { insertAudit, uuidFromKey } from "../audit/audit.js";
import type { ConsumerName, DeadLetterReason } from "../metrics.js";
import type { IngestContext } from "./context.js";
import { nakLater } from "./settle.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Sends a message the ingestor cannot accept to `wire.subjects.deadLetterIngest` (with its reason
 * and original payload), audits it (`message_dead_lettered`, under its tenant when that tenant
 * exists) and terminates it, so it never blocks the stream. Publish and audit are idempotent
 * (fixed msg id and row id), so a retry after a failure here writes each once. When either fails
 * the message is nak'ed and comes back.
 *
 * `detail` must be safe to store: schema issues name paths, never values.
 */
export async function deadLetter(
  ctx: IngestContext,
  msg: JsMsg,
  consumer: ConsumerName,
  reason: DeadLetterReason,
  detail: string,
): Promise<void> {
  const key = `ingest-dead:${consumer}:${msg.info.streamSequence}`;
  try {
    const letter = DeadLetterCodec.encode({
      reason: `${reason}: ${detail}`.slice(0, 500),
      source: consumer,
      streamSequence: msg.info.streamSequence,
      deliveries: msg.info.deliveryCount,
      payloadBase64: Buffer.from(msg.data).toString("base64"),
      occurredAt: new Date().toISOString(),
    });
    await ctx.js.publish(ctx.wire.subjects.deadLetterIngest, letter, {
      msgID: key,
      timeout: ctx.publishTimeoutMs,
    });
    const candidate = msg.subject.split(".").at(-2) ?? "";
    const tenant = UUID.test(candidate)
      ? await ctx.db.selectFrom("tenants").select("id").where("id", "=", candidate).executeTakeFirst()
      : undefined;
    await insertAudit(ctx.db, [
      {
        id: uuidFromKey(key),
        tenantId: tenant?.id ?? null,
        action: "message_dead_lettered",
        targetType: "message",
        targetId: key,
        detail: { consumer, reason, detail: detail.slice(0, 500), streamSequence: msg.info.streamSequence },
      },
    ]);
    // No argument: nats-server 2.9 ignores term("reason") and redelivers.
    msg.term();
    ctx.metrics.deadLetters.inc({ consumer, reason });
    ctx.metrics.messages.inc({ consumer, outcome: "dead_lettered" });
    ctx.logger.warn({ consumer, reason, streamSequence: msg.info.streamSequence }, "message dead-lettered");
  } catch (err) {
    ctx.logger.error({ err, consumer, streamSequence: msg.info.streamSequence }, "could not dead-letter; nak");
    nakLater(ctx, msg, consumer);
  }
}
