import type { Msg, NatsConnection } from "@nats-io/nats-core";
import {
  type TriggerReply,
  TriggerReplyCodec,
  type TriggerRequest,
  TriggerRequestCodec,
  type Wire,
} from "@netledger/contracts";
import type { Logger } from "@netledger/platform";
import type { BackupPipeline } from "../backup/backup-types.js";
import { BackupError } from "../errors.js";
import type { Limiter } from "../limiter.js";
import { backupRequestOf, invalidRequestReply, replyOf } from "./trigger-reply.js";

export interface TriggerResponderDeps {
  readonly nc: NatsConnection;
  readonly wire: Wire;
  readonly backup: BackupPipeline;
  /** The replica's SSH session limiter (shared with jobs); triggers wait with priority. */
  readonly limiter: Limiter;
  /** Requests waiting for a slot at most; one more is answered `busy` at once. */
  readonly queueMax: number;
  /** Deadline of a request that carries no `deadlineAt`, counted from its arrival. */
  readonly defaultDeadlineMs: number;
  /** `retryAfterMs` of a busy reply. */
  readonly retryAfterMs: number;
  readonly logger: Logger;
  /** Clock (tests). */
  readonly now?: () => number;
}

export interface TriggerResponder {
  /**
   * Stops taking requests; those still waiting for a slot are answered `busy`; running backups
   * get `graceMs`, then are aborted (SSH closed, lock released) and answered `busy` unless their
   * snapshot was already published. Bounded by the grace period plus the abort's clean-up.
   */
  stop(graceMs: number): Promise<void>;
}

/** One request being served: every message that asked for it gets the reply. */
interface Serving {
  readonly request: TriggerRequest;
  readonly messages: Msg[];
  readonly controller: AbortController;
  done: Promise<void>;
}

/**
 * Answers "back up now" requests on `wire.subjects.trigger` in the collectors' queue group, so
 * exactly one replica handles each request. The subscription is never blocked: each request is
 * decoded at once and either joins the same request id already being served here (answered
 * together, collected once), is answered `busy` when `queueMax` requests already wait for a
 * slot, or waits for a slot until its deadline. A request whose deadline passes before it starts
 * is dropped unanswered: its requester has stopped listening (the gateway answered 504).
 */
export function startTriggerResponder(deps: TriggerResponderDeps): TriggerResponder {
  const { nc, wire, logger } = deps;
  const now = deps.now ?? Date.now;
  const sub = nc.subscribe(wire.subjects.trigger, { queue: wire.queueGroups.collectors });
  const serving = new Map<string, Serving>();
  let queued = 0;
  let stopping = false;
  let onStop: () => void = () => {};
  const stopped = new Promise<"stopped">((resolve) => {
    onStop = () => resolve("stopped");
  });

  const respond = (msg: Msg, reply: TriggerReply): void => {
    if (!msg.reply) return;
    try {
      msg.respond(TriggerReplyCodec.encode(reply));
    } catch (err) {
      logger.error({ err, requestId: reply.requestId }, "could not reply to trigger request");
    }
  };
  const busy = (requestId: string): TriggerReply => ({ kind: "busy", requestId, retryAfterMs: deps.retryAfterMs });

  const serve = async (entry: Serving, deadline: number): Promise<TriggerReply | null> => {
    const { request } = entry;
    queued += 1;
    const slot = deps.limiter.acquire({ priority: true });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<"expired">((resolve) => {
      timer = setTimeout(() => resolve("expired"), Math.max(0, deadline - now()));
    });
    const release = await Promise.race([slot, expired, stopped]);
    clearTimeout(timer);
    queued -= 1;
    if (release === "stopped") {
      void slot.then((r) => r());
      return busy(request.requestId);
    }
    if (release === "expired" || now() >= deadline) {
      void slot.then((r) => r());
      logger.info({ requestId: request.requestId }, "trigger request dropped: its deadline passed before it started");
      return null;
    }
    try {
      const outcome = await deps.backup({ ...backupRequestOf(request), signal: entry.controller.signal });
      return replyOf(request.requestId, outcome);
    } finally {
      release();
    }
  };

  const accept = (msg: Msg): void => {
    let request: TriggerRequest;
    try {
      request = TriggerRequestCodec.decode(msg.data);
    } catch (err) {
      logger.warn({ err }, "trigger request rejected");
      respond(msg, invalidRequestReply(msg.data, err));
      return;
    }
    const same = serving.get(request.requestId);
    if (same) {
      same.messages.push(msg);
      return;
    }
    const arrived = now();
    const deadline = request.deadlineAt ? Date.parse(request.deadlineAt) : arrived + deps.defaultDeadlineMs;
    if (deadline <= arrived) {
      logger.info({ requestId: request.requestId }, "trigger request dropped: its deadline had passed on arrival");
      return;
    }
    if (stopping || queued >= deps.queueMax) {
      respond(msg, busy(request.requestId));
      return;
    }
    const entry: Serving = {
      request,
      messages: [msg],
      controller: new AbortController(),
      done: Promise.resolve(),
    };
    serving.set(request.requestId, entry);
    entry.done = serve(entry, deadline)
      .catch((err: unknown): TriggerReply => {
        logger.error({ err, requestId: request.requestId }, "trigger request failed unexpectedly");
        return invalidRequestReply(msg.data, err);
      })
      .then((reply) => {
        serving.delete(request.requestId);
        if (reply) for (const m of entry.messages) respond(m, reply);
      });
  };

  const loop = (async () => {
    for await (const msg of sub) accept(msg);
  })().catch((err: unknown) => logger.error({ err }, "trigger subscription ended with an error"));

  return {
    async stop(graceMs) {
      if (stopping) return;
      stopping = true;
      onStop();
      if (!sub.isClosed()) await sub.drain().catch(() => {});
      await loop;
      const pending = () => Promise.all([...serving.values()].map((s) => s.done));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([pending(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      for (const entry of serving.values()) {
        entry.controller.abort(new BackupError("SSH_CONNECTION_LOST", "backup interrupted by collector shutdown"));
      }
      await pending();
    },
  };
}
