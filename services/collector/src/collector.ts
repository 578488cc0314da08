import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Driver } from "@netledger/contracts";
import type { DeviceDriver } from "@netledger/drivers";
import { getDriver } from "@netledger/drivers";
import {
  createSealer,
  ensureConsumer,
  ensureStreams,
  type Logger,
  openSnapshotBlobs,
  type ReadinessCheck,
  wireFromConfig,
} from "@netledger/platform";
import type { Redis } from "ioredis";
import type { Registry } from "prom-client";
import type { BackupLimits, BackupPipeline } from "./backup/backup-types.js";
import { createBackupPipeline } from "./backup/pipeline.js";
import type { CollectorConfig } from "./config.js";
import { type JobWorker, startJobWorker } from "./jobs/job-worker.js";
import { createLimiter } from "./limiter.js";
import { createRedlockDeviceLocks } from "./lock/device-locks.js";
import { watchLockQuorum } from "./lock/lock-quorum.js";
import { type CollectorMetrics, createCollectorMetrics } from "./metrics.js";
import type { SshConnector } from "./ssh/ssh-session.js";
import { createSsh2Connector } from "./ssh/ssh2-connector.js";
import { startTriggerResponder, type TriggerResponder } from "./trigger/trigger-responder.js";

/** `retryAfterMs` of a busy trigger reply: a slot frees up when any backup of the replica ends. */
const TRIGGER_RETRY_AFTER_MS = 1_000;

export interface StartCollectorOptions {
  readonly config: CollectorConfig;
  /** Owned by the caller: `stop()` does not close it. */
  readonly nc: NatsConnection;
  /** One ready client per independent Redis master (platform `createLockClients`); owned by the caller. */
  readonly lockClients: readonly Redis[];
  readonly logger: Logger;
  /** Where collector metrics register (platform `createMetricsRegistry`); one registry per collector. */
  readonly registry: Registry;
  /** Answer trigger requests (default true). */
  readonly triggers?: boolean;
  /** Pull scheduled jobs (default true). */
  readonly jobs?: boolean;
  /** Seams for tests and benchmarks; default ssh2 and the built-in drivers. */
  readonly ssh?: SshConnector;
  readonly getDriver?: (id: Driver) => DeviceDriver;
}

export interface Collector {
  /** The backup pipeline itself, for callers that drive backups directly (benchmarks, tests). */
  readonly backup: BackupPipeline;
  readonly metrics: CollectorMetrics;
  /**
   * Readiness checks for the ops server: NATS answers, and a quorum of lock masters answers
   * PINGs (while it does not, the collector pulls no jobs).
   */
  readonly readiness: Record<string, ReadinessCheck>;
  /**
   * Stops responding and pulling; running backups get COLLECTOR_SHUTDOWN_GRACE_MS to finish, then
   * are aborted; returns once their SSH sessions are closed, locks released and jobs nak'ed.
   */
  stop(): Promise<void>;
}

/**
 * Starts one collector on existing connections: makes sure the streams, the shared jobs consumer
 * and the blob bucket exist, then answers triggers and works jobs.
 *
 * @example
 * const collector = await startCollector({ config, nc, lockClients, logger, registry });
 * // ... on SIGTERM:
 * await collector.stop(); await nc.drain();
 */
export async function startCollector(options: StartCollectorOptions): Promise<Collector> {
  const { config, nc, logger } = options;
  const wire = wireFromConfig(config);
  await ensureStreams(nc, wire);
  await ensureConsumer(nc, wire.streams.jobs.name, {
    ...wire.consumers.collectorJobs,
    ack_wait: config.COLLECTOR_ACK_WAIT_MS * 1_000_000,
  });
  const blobs = await openSnapshotBlobs(nc, wire);
  const js = jetstream(nc);
  const metrics = createCollectorMetrics(options.registry);
  const quorum = watchLockQuorum({
    clients: options.lockClients,
    onChange: (up, answering) =>
      up
        ? logger.info({ answering }, "lock quorum available")
        : logger.warn({ answering, masters: options.lockClients.length }, "lock quorum unavailable"),
  });
  const limits: BackupLimits = {
    connectTimeoutMs: config.SSH_CONNECT_TIMEOUT_MS,
    commandTimeoutMs: config.SSH_COMMAND_TIMEOUT_MS,
    commandDeadlineMs: config.SSH_COMMAND_DEADLINE_MS,
    exportMaxBytes: config.EXPORT_MAX_BYTES,
    secondReadMinBytes: config.EXPORT_SECOND_READ_MIN_BYTES,
    publishTimeoutMs: config.COLLECTOR_PUBLISH_TIMEOUT_MS,
  };
  const backup = createBackupPipeline({
    wire,
    nc,
    js,
    blobs,
    sealer: createSealer(config.NETLEDGER_SEAL_KEYS),
    locks: createRedlockDeviceLocks({
      clients: options.lockClients,
      keyPrefix: config.REDIS_KEY_PREFIX,
      ttlMs: config.LOCK_TTL_MS,
      onError: (what, err) => logger.warn({ err, what }, "device lock maintenance failed"),
    }),
    ssh: options.ssh ?? createSsh2Connector({ legacyKex: config.SSH_LEGACY_KEX }),
    getDriver: options.getDriver ?? getDriver,
    limits,
    logger,
    metrics,
  });

  // One limiter: COLLECTOR_CONCURRENCY bounds the replica's SSH sessions, triggers and jobs together.
  const limiter = createLimiter(config.COLLECTOR_CONCURRENCY);
  const responder: TriggerResponder | undefined =
    options.triggers === false
      ? undefined
      : startTriggerResponder({
          nc,
          wire,
          backup,
          limiter,
          queueMax: config.COLLECTOR_TRIGGER_QUEUE_MAX,
          defaultDeadlineMs: config.COLLECTOR_TRIGGER_DEADLINE_MS,
          retryAfterMs: TRIGGER_RETRY_AFTER_MS,
          logger,
        });
  const worker: JobWorker | undefined =
    options.jobs === false
      ? undefined
      : await startJobWorker({
          nc,
          js,
          wire,
          backup,
          limiter,
          concurrency: config.COLLECTOR_CONCURRENCY,
          policy: {
            retry: { baseMs: config.COLLECTOR_RETRY_BASE_MS, maxMs: config.COLLECTOR_RETRY_MAX_MS },
            maxAttempts: config.COLLECTOR_JOB_MAX_ATTEMPTS,
            lockTtlMs: config.LOCK_TTL_MS,
          },
          publishTimeoutMs: config.COLLECTOR_PUBLISH_TIMEOUT_MS,
          quorum,
          logger,
          metrics,
        });
  logger.info(
    { namespace: wire.namespace, concurrency: config.COLLECTOR_CONCURRENCY, triggers: !!responder, jobs: !!worker },
    "collector started",
  );

  let stopping: Promise<void> | undefined;
  return {
    backup,
    metrics,
    readiness: {
      nats: async () => !nc.isClosed() && (await nc.flush().then(() => true)),
      locks: () => quorum.up,
    },
    stop() {
      stopping ??= (async () => {
        const grace = config.COLLECTOR_SHUTDOWN_GRACE_MS;
        await Promise.all([responder?.stop(grace), worker?.stop(grace)]);
        quorum.stop();
        logger.info("collector stopped");
      })();
      return stopping;
    },
  };
}
