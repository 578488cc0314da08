import { createWire } from "@netledger/contracts";
import { env, parseConfig, wireConfigShape } from "@netledger/platform";
import { z } from "zod";

const MiB = 1024 * 1024;
const defaultAckWaitMs = createWire().consumers.collectorJobs.ack_wait / 1_000_000;

/**
 * Collector environment. Durations accept `1500`, `1500ms`, `30s`, `5m`.
 * - NATS_URL: NATS servers (comma-separated).
 * - REDIS_LOCK_URLS: independent Redis masters for Redlock (comma-separated); default REDIS_URL.
 * - REDIS_KEY_PREFIX: prefix of lock keys, default `netledger:`.
 * - NETLEDGER_NAMESPACE, NETLEDGER_SEAL_KEYS: wire namespace and key ring (credentials, snapshot content).
 * - NETLEDGER_SNAPSHOTS_MAX_BYTES, NETLEDGER_EVENTS_MAX_BYTES: stream sizes (see platform wireConfigShape).
 * - COLLECTOR_CONCURRENCY: concurrent backups per replica for jobs, and again for triggers (default 16).
 * - SSH_CONNECT_TIMEOUT_MS: TCP + handshake + auth (default 10 s).
 * - SSH_COMMAND_TIMEOUT_MS: longest silence from a device during a command (default 30 s).
 * - SSH_COMMAND_DEADLINE_MS: longest one command may take in all (default 10 min).
 * - EXPORT_MAX_BYTES: raw export size cap (default 32 MiB).
 * - EXPORT_SECOND_READ_MIN_BYTES: normalized exports this large are read twice (default 64 KiB).
 * - SSH_LEGACY_KEX: offer diffie-hellman-group14-sha1 / group-exchange-sha1 after the modern
 *   key exchange methods, for old devices (default true).
 * - LOCK_TTL_MS: device lock lifetime, extended every third of it while a backup runs (default 30 s).
 * - COLLECTOR_ACK_WAIT_MS: ack_wait of the shared jobs consumer (default from contracts).
 * - COLLECTOR_RETRY_BASE_MS / COLLECTOR_RETRY_MAX_MS: back-off of failed jobs (nak delay).
 * - COLLECTOR_PUBLISH_TIMEOUT_MS: wait for a JetStream PubAck (default 10 s).
 * - COLLECTOR_SHUTDOWN_GRACE_MS: time running backups get to finish on SIGTERM (default 25 s).
 * - OPS_PORT (default 9102), LOG_LEVEL.
 */
export const CollectorConfigSchema = z
  .object({
    NATS_URL: env.natsUrl(),
    REDIS_LOCK_URLS: env.redisUrls(),
    REDIS_KEY_PREFIX: z.preprocess(
      (v) => (typeof v === "string" && v.trim() ? v : undefined),
      z.string().default("netledger:"),
    ),
    ...wireConfigShape,
    NETLEDGER_SEAL_KEYS: env.sealKeys(),
    COLLECTOR_CONCURRENCY: env.positiveInt(16),
    SSH_CONNECT_TIMEOUT_MS: env.durationMs(10_000),
    SSH_COMMAND_TIMEOUT_MS: env.durationMs(30_000),
    SSH_COMMAND_DEADLINE_MS: env.durationMs(600_000),
    EXPORT_MAX_BYTES: env.positiveInt(32 * MiB),
    EXPORT_SECOND_READ_MIN_BYTES: env.byteSize(64 * 1024),
    SSH_LEGACY_KEX: env.bool(true),
    LOCK_TTL_MS: env.durationMs(30_000),
    COLLECTOR_ACK_WAIT_MS: env.durationMs(defaultAckWaitMs),
    COLLECTOR_RETRY_BASE_MS: env.durationMs(5_000),
    COLLECTOR_RETRY_MAX_MS: env.durationMs(300_000),
    COLLECTOR_PUBLISH_TIMEOUT_MS: env.durationMs(10_000),
    COLLECTOR_SHUTDOWN_GRACE_MS: env.durationMs(25_000),
    OPS_PORT: env.port(9102),
    LOG_LEVEL: env.logLevel(),
  })
  .refine((c) => c.COLLECTOR_ACK_WAIT_MS >= 2 * c.LOCK_TTL_MS, {
    // A job left by a crashed replica must come back only after that replica's device lock
    // expired; otherwise the redelivered job sees DEVICE_LOCKED, is acked, and nobody collects.
    path: ["COLLECTOR_ACK_WAIT_MS"],
    message: "must be at least twice LOCK_TTL_MS",
  });

export type CollectorConfig = Readonly<z.infer<typeof CollectorConfigSchema>>;

/**
 * Parses and validates the collector's environment once (the only reader of `process.env` here).
 * Throws ConfigError listing every bad key, never a value.
 */
export function loadCollectorConfig(source: NodeJS.ProcessEnv = process.env): CollectorConfig {
  const lockUrls = source.REDIS_LOCK_URLS?.trim() ? source.REDIS_LOCK_URLS : source.REDIS_URL;
  return parseConfig(CollectorConfigSchema, { ...source, REDIS_LOCK_URLS: lockUrls });
}
