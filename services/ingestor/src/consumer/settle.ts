import type { JsMsg } from "@nats-io/jetstream";
import { backoffDelay } from "@netledger/platform";
import type { ConsumerName } from "../metrics.js";
import type { IngestContext } from "./context.js";

/** Naks `msg` with the back-off of its delivery count; it comes back, nothing is lost. */
export function nakLater(ctx: IngestContext, msg: JsMsg, consumer: ConsumerName): void {
  msg.nak(backoffDelay(msg.info.deliveryCount, ctx.retry));
  ctx.metrics.messages.inc({ consumer, outcome: "retried" });
}
