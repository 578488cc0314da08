import { createWire } from "@netledger/contracts";
import { env, parseConfig, wireConfigShape } from "@netledger/platform";
import { z } from "zod";

const MiB = 1024 * 1024;
const defaultAckWaitMs = createWire().consumers.collectorJobs.ack_wait / 1_000_000;

/**
 * Collector environment. Durations accept `1500`, `1500ms`, `30s`, `5m`; sizes `33554432`, `32MiB`.
 * - NATS_URL: NATS servers (comma-separated).
 * - REDIS_LOCK_URLS: independent Redis masters for Redlock (comma-separated); default REDIS_URL.
 * - REDIS_KEY_PREFIX: prefix of lock keys, default `netledger:`.
 * - NETLEDGER_NAMESPACE, NETLEDGER_SEAL_KEYS: wire namespace and key ring (credentials, snapshot content).
 * - NETLEDGER_SNAPSHOTS_MAX_BYTES, NETLEDGER_EVENTS_MAX_BYTES: stream sizes (see platform wireConfigShape).
 * - COLLECTOR_CONCURRENCY: SSH sessions at once per replica, jobs and triggers together (default 16).
 * - COLLECTOR_TRIGGER_QUEUE_MAX: trigger requests waiting for a session; one more is answered busy (default 32).
 * - COLLECTOR_TRIGGER_DEADLINE_MS: deadline of a trigger request without `deadlineAt` (default 60 s).
 * - COLLECTOR_JOB_MAX_ATTEMPTS: failed attempts before a job is dead-lettered (default 5).
 * - SSH_CONNECT_TIMEOUT_MS: TCP + handshake + auth (default 10 s).
 * - SSH_COMMAND_TIMEOUT_MS: longest silence from a device during a command (default 30 s).
 * - SSH_COMMAND_DEADLINE_MS: longest one command may take in all (default 10 min).
 * - EXPORT_MAX_BYTES: raw export size cap (default 32 MiB).
 * - EXPORT_SECOND_READ_MIN_BYTES: normalized exports this large are read twice (default 64 KiB).
 * - SSH_LEGACY_KEX: offer diffie-hellman-group14-sha1 / group-exchange-sha1 after the modern
 *   key exchange methods, for old devices (default true).
 * - LOCK_TTL_MS: device lock lifetime, extended every third of it while a backup runs (default 30 s).
 * - LOCK_COMMAND_TIMEOUT_MS: longest wait for one lock master's answer; a master slower than that counts as down (default 1 s).
 * - COLLECTOR_ACK_WAIT_MS: ack_wait of the shared jobs consumer (default from contracts, 15 s).
 * - COLLECTOR_RETRY_BASE_MS / COLLECTOR_RETRY_MAX_MS: back-off of failed jobs.
 * - COLLECTOR_PUBLISH_TIMEOUT_MS: time a JetStream publish gets, retries across a reconnect included (default 10 s).
 * - COLLECTOR_SHUTDOWN_GRACE_MS: time running backups get to finish on SIGTERM before they are aborted (default 25 s).
 * - OPS_PORT (default 9102), LOG_LEVEL.
 */
export const CollectorConfigSchema = z
  .object({
    NATS_URL: env.natsUrl(),
    REDIS_URL: env.redisUrl(),
    REDIS_LOCK_URLS: env.redisUrls(),
    REDIS_KEY_PREFIX: z.preprocess(
      (v) => (typeof v === "string" && v.trim() ? v : undefined),
      z.string().default("netledger:"),
    ),
    ...wireConfigShape,
    NETLEDGER_SEAL_KEYS: env.sealKeys(),
    COLLECTOR_CONCURRENCY: env.positiveInt(16),
    COLLECTOR_TRIGGER_QUEUE_MAX: env.positiveInt(32),
    COLLECTOR_TRIGGER_DEADLINE_MS: env.positiveDurationMs(60_000),
    COLLECTOR_JOB_MAX_ATTEMPTS: env.positiveInt(5),
    SSH_CONNECT_TIMEOUT_MS: env.positiveDurationMs(10_000),
    SSH_COMMAND_TIMEOUT_MS: env.positiveDurationMs(30_000),
    SSH_COMMAND_DEADLINE_MS: env.positiveDurationMs(600_000),
    EXPORT_MAX_BYTES: env.byteSize(32 * MiB).pipe(z.number().min(1, { message: "must be at least 1 byte" })),
    EXPORT_SECOND_READ_MIN_BYTES: env.byteSize(64 * 1024),
    SSH_LEGACY_KEX: env.bool(true),
    LOCK_TTL_MS: env.positiveDurationMs(30_000),
    LOCK_COMMAND_TIMEOUT_MS: env.positiveDurationMs(1_000),
    COLLECTOR_ACK_WAIT_MS: env.positiveDurationMs(defaultAckWaitMs),
    COLLECTOR_RETRY_BASE_MS: env.positiveDurationMs(5_000),
    COLLECTOR_RETRY_MAX_MS: env.positiveDurationMs(300_000),
    COLLECTOR_PUBLISH_TIMEOUT_MS: env.positiveDurationMs(10_000),
    COLLECTOR_SHUTDOWN_GRACE_MS: env.durationMs(25_000),
    OPS_PORT: env.port(9102),
    LOG_LEVEL: env.logLevel(),
  })
  .refine((c) => c.LOCK_COMMAND_TIMEOUT_MS * 3 <= c.LOCK_TTL_MS, {
    // An extension must be able to fail and be retried before the lock it extends expires.
    path: ["LOCK_COMMAND_TIMEOUT_MS"],
    message: "must be at most a third of LOCK_TTL_MS",
  })
  .refine((c) => c.COLLECTOR_RETRY_BASE_MS <= c.COLLECTOR_RETRY_MAX_MS, {
    path: ["COLLECTOR_RETRY_BASE_MS"],
    message: "must not exceed COLLECTOR_RETRY_MAX_MS",
  });

export type CollectorConfig = Readonly<z.infer<typeof CollectorConfigSchema>>;

/**
 * Parses and validates the collector's environment once (the only reader of `process.env` here).
 * Throws ConfigError listing every bad key, never a value.
 */
export function loadCollectorConfig(source: NodeJS.ProcessEnv = process.env): CollectorConfig {
  const lockUrlsSet = Boolean(source.REDIS_LOCK_URLS?.trim());
  const config = parseConfig(CollectorConfigSchema, source);
  // REDIS_URL is validated under its own name, so a bad one is blamed on REDIS_URL.
  return lockUrlsSet ? config : Object.freeze({ ...config, REDIS_LOCK_URLS: [config.REDIS_URL] });
}
