import type { ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { headers, type NatsConnection } from "@nats-io/nats-core";
import { type BackupJob, BackupJobCodec, DeadLetterCodec, JOB_HEADERS, type Wire } from "@netledger/contracts";
import { type Logger, publishUntilAcked, sleep } from "@netledger/platform";
import type { BackupPipeline, BackupRequest } from "../backup/backup-types.js";
import { BackupError } from "../errors.js";
import type { Limiter } from "../limiter.js";
import type { LockQuorum } from "../lock/lock-quorum.js";
import type { CollectorMetrics } from "../metrics.js";
import { type DeliveryFacts, decideBeforeRun, decideJobAction, type JobAction, type JobPolicy } from "./job-action.js";

export interface JobWorkerDeps {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly wire: Wire;
  readonly backup: BackupPipeline;
  /** The replica's SSH session limiter (shared with triggers). */
  readonly limiter: Limiter;
  /** Pull batch size: jobs held at once by this replica. */
  readonly concurrency: number;
  readonly policy: JobPolicy;
  readonly publishTimeoutMs: number;
  /** Pull only while the lock quorum is up (absent: always). */
  readonly quorum?: LockQuorum | undefined;
  readonly logger: Logger;
  readonly metrics?: CollectorMetrics | undefined;
}

export interface JobWorker {
  /**
   * Stops pulling and naks jobs not started yet, waits up to `graceMs` for running backups, then
   * aborts those still running and waits until their SSH sessions are closed and their locks
   * released; each is then nak'ed with a delay (or acked, if its snapshot was published).
   */
  stop(graceMs: number): Promise<void>;
}

const NANOS_PER_MS = 1_000_000;
const ACK_ATTEMPT_MS = 2_000;

/**
 * Pulls scheduled jobs from the one durable consumer all replicas share
 * (`wire.consumers.collectorJobs` on the work-queue jobs stream), runs each through the backup
 * pipeline with bounded concurrency and settles it (see job-action.ts). Every held job
 * heartbeats with `working()` every third of ack_wait, from delivery on (also while it waits for
 * a slot). While the lock quorum is down it stops pulling, and pulls again once it is back.
 */
export async function startJobWorker(deps: JobWorkerDeps): Promise<JobWorker> {
  const { nc, js, wire, logger, quorum } = deps;
  const consumer = await js.consumers.get(wire.streams.jobs.name, wire.consumers.collectorJobs.durable_name);
  const { config } = await consumer.info(true);
  const ackWaitMs = Math.max(1, Math.floor((config.ack_wait ?? 30_000 * NANOS_PER_MS) / NANOS_PER_MS));
  const heartbeatMs = Math.max(1, Math.floor(ackWaitMs / 3));
  const running = new Map<JsMsg, { task: Promise<void>; controller: AbortController }>();
  let messages: ConsumerMessages | undefined;
  let stopping = false;
  let onStop: () => void = () => {};
  const stopped = new Promise<"stopped">((resolve) => {
    onStop = () => resolve("stopped");
  });

  const count = (action: JobAction["kind"]) => deps.metrics?.jobActions.inc({ action });

  const publishJob = (subject: string, data: Uint8Array, msgID: string, hdrs?: ReturnType<typeof headers>) =>
    publishUntilAcked(nc, js, subject, data, {
      msgID,
      timeoutMs: deps.publishTimeoutMs,
      ...(hdrs && { headers: hdrs }),
    });

  /** Acks and waits for the server's confirmation, again after a reconnect dropped it. */
  const ack = async (msg: JsMsg): Promise<void> => {
    const deadline = Date.now() + deps.publishTimeoutMs;
    for (;;) {
      try {
        await msg.ackAck({ timeout: Math.max(1, Math.min(ACK_ATTEMPT_MS, deadline - Date.now())) });
        return;
      } catch (err) {
        if (Date.now() >= deadline || nc.isClosed()) {
          // The job comes back after ack_wait; its snapshot msg id makes the second run a duplicate.
          logger.warn({ err, streamSequence: msg.info.streamSequence }, "job ack not confirmed");
          return;
        }
        await sleep(100);
      }
    }
  };

  const deadLetter = async (msg: JsMsg, reason: string, attempt: number): Promise<void> => {
    try {
      const letter = DeadLetterCodec.encode({
        reason: reason.slice(0, 500),
        streamSequence: msg.info.streamSequence,
        deliveries: attempt,
        payloadBase64: Buffer.from(msg.data).toString("base64"),
        occurredAt: new Date().toISOString(),
      });
      await publishJob(wire.subjects.deadLetterJobs, letter, `dead-letter:${msg.info.streamSequence}`);
      msg.term();
      count("dead-letter");
      logger.warn({ streamSequence: msg.info.streamSequence, reason }, "job dead-lettered");
    } catch (err) {
      // Keep the job rather than lose it silently: it comes back and is dead-lettered then.
      logger.error({ err, streamSequence: msg.info.streamSequence }, "could not dead-letter job; nak");
      msg.nak(deps.policy.retry.baseMs);
      count("nak");
    }
  };

  /** The next attempt as a new copy due after the back-off; this copy is acked once it is stored. */
  const retry = async (msg: JsMsg, job: BackupJob, action: Extract<JobAction, { kind: "retry" }>): Promise<void> => {
    const hdrs = headers();
    hdrs.set(JOB_HEADERS.attempt, String(action.attempt));
    hdrs.set(JOB_HEADERS.notBefore, new Date(Date.now() + action.delayMs).toISOString());
    try {
      await publishJob(wire.subjects.backupJobs, msg.data, `job:${job.jobId}:attempt:${action.attempt}`, hdrs);
    } catch (err) {
      logger.error({ err, jobId: job.jobId }, "could not republish job for its retry; nak");
      msg.nak(deps.policy.retry.baseMs);
      count("nak");
      return;
    }
    await ack(msg);
    count("retry");
  };

  const settle = async (msg: JsMsg, action: JobAction, job: BackupJob, attempt: number): Promise<void> => {
    switch (action.kind) {
      case "ack":
        await ack(msg);
        break;
      case "nak":
        msg.nak(action.delayMs);
        break;
      case "retry":
        return retry(msg, job, action);
      case "term":
        // No reason argument: NATS 2.9 ignores term("reason") and redelivers.
        msg.term();
        break;
      case "dead-letter":
        return deadLetter(msg, action.reason, attempt);
    }
    count(action.kind);
  };

  const take = async (msg: JsMsg): Promise<void> => {
    if (stopping || (quorum && !quorum.up)) {
      msg.nak();
      count("nak");
      return;
    }
    const heartbeat = setInterval(() => msg.working(), heartbeatMs);
    let job: BackupJob;
    try {
      job = BackupJobCodec.decode(msg.data);
    } catch (err) {
      clearInterval(heartbeat);
      return deadLetter(msg, err instanceof Error ? err.message : "undecodable job", 1);
    }
    const delivery: DeliveryFacts = { attempt: attemptOf(msg), deliveryCount: msg.info.deliveryCount };
    const early = decideBeforeRun(delivery, notBeforeOf(msg), Date.now());
    if (early) {
      clearInterval(heartbeat);
      return settle(msg, early, job, delivery.attempt);
    }
    const slot = deps.limiter.acquire();
    const release = await Promise.race([slot, stopped]);
    if (release === "stopped") {
      clearInterval(heartbeat);
      void slot.then((r) => r());
      msg.nak();
      count("nak");
      return;
    }
    const controller = new AbortController();
    const task = (async () => {
      const outcome = await deps.backup({ ...backupRequestOfJob(job, delivery.attempt), signal: controller.signal });
      await settle(msg, decideJobAction(outcome, delivery, deps.policy), job, delivery.attempt);
    })()
      .catch((err: unknown) => {
        logger.error({ err }, "job handling failed; nak");
        msg.nak(deps.policy.retry.baseMs);
      })
      .finally(() => {
        clearInterval(heartbeat);
        running.delete(msg);
        release();
      });
    running.set(msg, { task, controller });
  };

  const loop = (async () => {
    while (!stopping) {
      if (quorum && !quorum.up) {
        logger.warn("lock quorum unavailable: not pulling jobs until it is back");
        await Promise.race([quorum.whenUp(), stopped]);
        if (stopping) break;
        logger.info("lock quorum back: pulling jobs");
      }
      const current = await consumer.consume({ max_messages: deps.concurrency });
      messages = current;
      if (stopping) void current.close();
      if (quorum) void Promise.race([quorum.whenDown(), stopped]).then(() => current.close());
      for await (const msg of current) await take(msg);
    }
  })().catch((err: unknown) => logger.error({ err }, "job consumer ended with an error"));

  return {
    async stop(graceMs) {
      if (stopping) return;
      stopping = true;
      onStop();
      void messages?.close();
      const tasks = () => [...running.values()].map((r) => r.task);
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all(tasks()), grace]);
      clearTimeout(timer);
      for (const { controller } of running.values()) {
        controller.abort(new BackupError("SSH_CONNECTION_LOST", "backup interrupted by collector shutdown"));
      }
      await Promise.all(tasks());
      await loop;
    },
  };
}

function attemptOf(msg: JsMsg): number {
  const value = Number(msg.headers?.get(JOB_HEADERS.attempt));
  return Number.isInteger(value) && value >= 1 ? value : 1;
}

function notBeforeOf(msg: JsMsg): number | null {
  const value = Date.parse(msg.headers?.get(JOB_HEADERS.notBefore) ?? "");
  return Number.isNaN(value) ? null : value;
}

function backupRequestOfJob(job: BackupJob, attempt: number): BackupRequest {
  return {
    trigger: "scheduled",
    tenantId: job.tenantId,
    deviceId: job.deviceId,
    device: job.device,
    jobId: job.jobId,
    snapshotMsgId: `job:${job.jobId}`,
    failureMsgId: `job-failed:${job.jobId}:${attempt}`,
  };
}
