import type { ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { type BackupJob, BackupJobCodec, DeadLetterCodec, type Wire } from "@netledger/contracts";
import type { Logger } from "@netledger/platform";
import type { BackupPipeline, BackupRequest } from "../backup/backup-types.js";
import type { Limiter } from "../limiter.js";
import type { CollectorMetrics } from "../metrics.js";
import { decideJobAction, type JobAction, type RetryPolicy } from "./job-action.js";

export interface JobWorkerDeps {
  readonly js: JetStreamClient;
  readonly wire: Wire;
  readonly backup: BackupPipeline;
  /** Bounds concurrent job backups; also the pull batch size. */
  readonly limiter: Limiter;
  readonly concurrency: number;
  readonly retry: RetryPolicy;
  readonly publishTimeoutMs: number;
  readonly logger: Logger;
  readonly metrics?: CollectorMetrics | undefined;
}

export interface JobWorker {
  /**
   * Stops pulling, naks jobs not started yet, and waits up to `graceMs` for running backups;
   * those still running then are nak'ed so another replica takes them at once.
   */
  stop(graceMs: number): Promise<void>;
}

const NANOS_PER_MS = 1_000_000;

/**
 * Pulls scheduled jobs from the one durable consumer all replicas share
 * (`wire.consumers.collectorJobs` on the work-queue jobs stream), runs each through the backup
 * pipeline with bounded concurrency and settles it (ack/nak/term/dead-letter, see job-action.ts).
 * Long backups keep their delivery with `working()`, every third of ack_wait.
 */
export async function startJobWorker(deps: JobWorkerDeps): Promise<JobWorker> {
  const { js, wire, logger } = deps;
  const consumer = await js.consumers.get(wire.streams.jobs.name, wire.consumers.collectorJobs.durable_name);
  const { config } = await consumer.info(true);
  const ackWaitMs = Math.max(1, Math.floor((config.ack_wait ?? 30_000 * NANOS_PER_MS) / NANOS_PER_MS));
  const maxDeliver = config.max_deliver ?? -1;
  const messages: ConsumerMessages = await consumer.consume({ max_messages: deps.concurrency });
  const running = new Map<JsMsg, Promise<void>>();
  let stopping = false;
  let onStop: () => void = () => {};
  const stopped = new Promise<"stopped">((resolve) => {
    onStop = () => resolve("stopped");
  });

  const count = (action: JobAction["kind"]) => deps.metrics?.jobActions.inc({ action });

  const deadLetter = async (msg: JsMsg, reason: string): Promise<void> => {
    try {
      const letter = DeadLetterCodec.encode({
        reason: reason.slice(0, 500),
        streamSequence: msg.info.streamSequence,
        deliveries: msg.info.deliveryCount,
        payloadBase64: Buffer.from(msg.data).toString("base64"),
        occurredAt: new Date().toISOString(),
      });
      await js.publish(wire.subjects.deadLetterJobs, letter, {
        msgID: `dead-letter:${msg.info.streamSequence}`,
        timeout: deps.publishTimeoutMs,
      });
      msg.term();
      count("dead-letter");
      logger.warn({ streamSequence: msg.info.streamSequence, reason }, "job dead-lettered");
    } catch (err) {
      // Keep the job rather than lose it silently: it comes back while deliveries remain.
      logger.error({ err, streamSequence: msg.info.streamSequence }, "could not dead-letter job; nak");
      msg.nak(deps.retry.baseMs);
      count("nak");
    }
  };

  const settle = async (msg: JsMsg, action: JobAction): Promise<void> => {
    switch (action.kind) {
      case "ack":
        msg.ack();
        break;
      case "nak":
        msg.nak(action.delayMs);
        break;
      case "term":
        // No reason argument: NATS 2.9 ignores term("reason") and redelivers.
        msg.term();
        break;
      case "dead-letter":
        return deadLetter(msg, action.reason);
    }
    count(action.kind);
  };

  const handle = async (msg: JsMsg): Promise<void> => {
    let job: BackupJob;
    try {
      job = BackupJobCodec.decode(msg.data);
    } catch (err) {
      return deadLetter(msg, err instanceof Error ? err.message : "undecodable job");
    }
    const heartbeat = setInterval(() => msg.working(), Math.max(1, Math.floor(ackWaitMs / 3)));
    try {
      const outcome = await deps.backup(backupRequestOfJob(job, msg.info.deliveryCount));
      if (stopping && !running.has(msg)) return; // nak'ed at the end of the grace period
      await settle(msg, decideJobAction(outcome, { deliveryCount: msg.info.deliveryCount, maxDeliver }, deps.retry));
    } finally {
      clearInterval(heartbeat);
    }
  };

  const loop = (async () => {
    for await (const msg of messages) {
      const slot = deps.limiter.acquire();
      const release = await Promise.race([slot, stopped]);
      if (release === "stopped") {
        void slot.then((r) => r());
        msg.nak();
        count("nak");
        continue;
      }
      const task = handle(msg)
        .catch((err: unknown) => {
          logger.error({ err }, "job handling failed; nak");
          msg.nak(deps.retry.baseMs);
        })
        .finally(() => {
          running.delete(msg);
          release();
        });
      running.set(msg, task);
    }
  })().catch((err: unknown) => logger.error({ err }, "job consumer ended with an error"));

  return {
    async stop(graceMs) {
      if (stopping) return;
      stopping = true;
      onStop();
      void messages.close();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all([loop, ...running.values()]), grace]);
      clearTimeout(timer);
      for (const msg of running.keys()) {
        running.delete(msg);
        msg.nak();
        count("nak");
      }
      await loop;
    },
  };
}

function backupRequestOfJob(job: BackupJob, deliveryCount: number): BackupRequest {
  return {
    trigger: "scheduled",
    tenantId: job.tenantId,
    deviceId: job.deviceId,
    device: job.device,
    jobId: job.jobId,
    snapshotMsgId: `job:${job.jobId}`,
    failureMsgId: `job-failed:${job.jobId}:${deliveryCount}`,
  };
}
