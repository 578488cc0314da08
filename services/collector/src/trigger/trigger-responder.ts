import type { Msg, NatsConnection } from "@nats-io/nats-core";
import { type TriggerReply, TriggerReplyCodec, TriggerRequestCodec, type Wire } from "@netledger/contracts";
import type { Logger } from "@netledger/platform";
import type { BackupPipeline } from "../backup/backup-types.js";
import type { Limiter } from "../limiter.js";
import { backupRequestOf, invalidRequestReply, replyOf } from "./trigger-reply.js";

export interface TriggerResponderDeps {
  readonly nc: NatsConnection;
  readonly wire: Wire;
  readonly backup: BackupPipeline;
  /** Bounds concurrent trigger backups; requests beyond it wait in the subscription. */
  readonly limiter: Limiter;
  readonly logger: Logger;
}

export interface TriggerResponder {
  /** Stops taking requests (draining the subscription) and waits for those in progress to be answered. */
  stop(): Promise<void>;
}

/**
 * Answers "back up now" requests on `wire.subjects.trigger` in the collectors' queue group, so
 * exactly one replica handles each request. Every request gets a reply, even an invalid one.
 */
export function startTriggerResponder(deps: TriggerResponderDeps): TriggerResponder {
  const { nc, wire, logger } = deps;
  const sub = nc.subscribe(wire.subjects.trigger, { queue: wire.queueGroups.collectors });
  const inFlight = new Set<Promise<void>>();

  const handle = async (msg: Msg): Promise<void> => {
    let reply: TriggerReply;
    try {
      const request = TriggerRequestCodec.decode(msg.data);
      const outcome = await deps.backup(backupRequestOf(request));
      reply = replyOf(request.requestId, outcome);
    } catch (err) {
      logger.warn({ err }, "trigger request rejected");
      reply = invalidRequestReply(msg.data, err);
    }
    if (!msg.reply) return;
    try {
      msg.respond(TriggerReplyCodec.encode(reply));
    } catch (err) {
      logger.error({ err, requestId: reply.requestId }, "could not reply to trigger request");
    }
  };

  const loop = (async () => {
    for await (const msg of sub) {
      const release = await deps.limiter.acquire();
      const task = handle(msg).finally(release);
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
    }
  })().catch((err: unknown) => logger.error({ err }, "trigger subscription ended with an error"));

  return {
    async stop() {
      if (!sub.isClosed()) await sub.drain().catch(() => {});
      await loop;
      await Promise.all(inFlight);
    },
  };
}
