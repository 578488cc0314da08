/**
 * @netledger/platform: what every NetLedger service stands on — configuration, logging,
 * metrics and ops endpoints, connections to NATS, Redis and PostgreSQL, graceful shutdown,
 * and sealing of secrets.
 */
export { backoffDelay, sleep } from "./backoff.js";
export { env, LOG_LEVELS, type LogLevel, parseConfig } from "./config.js";
export {
  BlobReadTimeoutError,
  ConfigError,
  DatabaseUnavailableError,
  JetStreamSetupError,
  NatsUnavailableError,
  SealError,
  type SealErrorCode,
  ShutdownTimeoutError,
  SnapshotContentError,
  type SnapshotContentErrorCode,
} from "./errors.js";
export { type PublishResult, type PublishUntilAckedOptions, publishUntilAcked } from "./jetstream-publish.js";
export { deleteNamespace, ensureConsumer, ensureStreams, objectStoreStreamName } from "./jetstream-setup.js";
export { createLogger, type Logger, type LoggerOptions } from "./logger.js";
export { createMetricsRegistry } from "./metrics.js";
export { type ConnectNatsOptions, connectNats } from "./nats.js";
export { type OpsServer, type OpsServerOptions, type ReadinessCheck, startOpsServer } from "./ops-server.js";
export {
  createDatabase,
  type DatabaseOptions,
  type DedicatedSession,
  type DedicatedSessionOptions,
  openDedicatedSession,
  waitForDatabase,
} from "./postgres.js";
export { isSecretKey, REDACTED, redactSecrets, redactUrlCredentials } from "./redact.js";
export { createLockClients, createRedis, type LockClientsOptions } from "./redis.js";
export { createSealer, generateKey, type KeyRing, parseKeyRing, type Sealer } from "./seal.js";
export { onShutdown, type Shutdown, type ShutdownOptions, type ShutdownStep } from "./shutdown.js";
export {
  type BlobReader,
  getBlobWithin,
  openSnapshotBlobs,
  SNAPSHOT_BLOB_TTL_MS,
} from "./snapshot-blobs.js";
export {
  deviceSealAad,
  type GzippedSnapshotText,
  type OpenSnapshotContentOptions,
  openSealedText,
  openSnapshotContent,
  readSealedSnapshotContent,
  type SealSnapshotContentInput,
  type SnapshotBlobStore,
  SnapshotGzip,
  type SnapshotText,
  sealSnapshotContent,
  sealText,
} from "./snapshot-content.js";
export { wireConfigShape, wireFromConfig } from "./wire-config.js";
