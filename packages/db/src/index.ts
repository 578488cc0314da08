export { comparableTexts, type VersionedText } from "./comparable-texts.js";
export { loadMigrateConfig, type MigrateConfig, migrateConfigSchema } from "./config.js";
export { databaseNameOf, dropDatabase, ensureDatabase, withDatabaseName } from "./database-admin.js";
export { type DeviceTargetRow, deviceTargetOf } from "./device-target.js";
export { DatabaseCreateError, MigrationError, SnapshotConflictError, SnapshotNotFoundError } from "./errors.js";
export { createMigrationProvider, migrations, type NamedMigration } from "./migrations/index.js";
export { migrateDown, migrateToLatest } from "./migrator.js";
export * from "./schema.js";
export {
  isRetryableConflict,
  type NewSnapshotVersion,
  type SaveSnapshotOutcome,
  type SnapshotRef,
  saveSnapshot,
  transactionWithRetry,
} from "./snapshot-versions.js";
export {
  diffConfigTexts,
  diffStoredVersions,
  type StoredVersionsDiff,
  type StoredVersionsRef,
  type VersionDiff,
} from "./version-diff.js";
