/**
 * @netledger/collector: backs up devices over SSH. `main.ts` runs it as a service;
 * `startCollector` runs one in-process (tests, benchmarks) on connections the caller owns.
 */
export type { BackupLimits, BackupOutcome, BackupPipeline, BackupRequest } from "./backup/backup-types.js";
export { type BackupPipelineDeps, createBackupPipeline } from "./backup/pipeline.js";
export type { CollectorBlobStore } from "./backup/publish-events.js";
export {
  type CutTally,
  type RereadModel,
  type SweepFigures,
  type SweepOptions,
  sweepTruncation,
} from "./backup/truncation-sweep.js";
export { type Collector, type StartCollectorOptions, startCollector } from "./collector.js";
export { type CollectorConfig, CollectorConfigSchema, loadCollectorConfig } from "./config.js";
export { BackupError, DeviceLockedError, LockUnavailableError, SshError } from "./errors.js";
export { createRedlockDeviceLocks, type DeviceLocks, type RedlockDeviceLocksOptions } from "./lock/device-locks.js";
export { type CollectorMetrics, createCollectorMetrics } from "./metrics.js";
export { COLLECTOR_NODE_FLAGS } from "./node-flags.js";
export type { SshConnector, SshSession, SshTarget } from "./ssh/ssh-session.js";
export { createSsh2Connector } from "./ssh/ssh2-connector.js";
export { backupRequestOf, replyOf } from "./trigger/trigger-reply.js";
