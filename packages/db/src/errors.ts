/**
 * Errors raised by the db package. Each class is a condition a caller handles; its `code` is
 * stable. Messages name migrations, constraints and databases, never row contents.
 */

/**
 * A migration failed; `migrationName` says which. On PostgreSQL the whole run is one transaction,
 * so none of the run's migrations stays applied.
 */
export class MigrationError extends Error {
  override readonly name = "MigrationError";
  readonly code = "DB_MIGRATION_FAILED" as const;
  constructor(
    readonly migrationName: string | undefined,
    options?: { cause?: unknown },
  ) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : "";
    super(`migration ${migrationName ? `"${migrationName}"` : "run"} failed${reason}`, options);
  }
}

/**
 * A concurrent transaction stored a version of the same device first (unique seq or msg-id
 * collision). The caller's transaction is aborted; running it again sees the winner's row.
 */
export class SnapshotConflictError extends Error {
  override readonly name = "SnapshotConflictError";
  readonly code = "DB_SNAPSHOT_CONFLICT" as const;
  constructor(
    readonly constraint: string,
    options?: { cause?: unknown },
  ) {
    super(`concurrent snapshot write collided on ${constraint}; retry the transaction`, options);
  }
}

/** The database named in the URL could not be created. */
export class DatabaseCreateError extends Error {
  override readonly name = "DatabaseCreateError";
  readonly code = "DB_CREATE_FAILED" as const;
  constructor(
    readonly database: string,
    options?: { cause?: unknown },
  ) {
    super(`could not create database "${database}"`, options);
  }
}

/** A snapshot asked for is not a stored version of that tenant's device (or the device is not the tenant's). */
export class SnapshotNotFoundError extends Error {
  override readonly name = "SnapshotNotFoundError";
  readonly code = "SNAPSHOT_NOT_FOUND" as const;
  constructor() {
    super("snapshot not found for this device");
  }
}
