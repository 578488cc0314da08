/**
 * Errors raised by the platform package. Each class is a condition a caller handles; its `code`
 * is stable (log fields, exit reasons, tests match on it). Messages never carry secret values.
 */

/** Configuration did not validate. `problems` lists every bad or missing key, never a value. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code = "CONFIG_INVALID" as const;
  constructor(
    readonly problems: string[],
    options?: { cause?: unknown },
  ) {
    super(`invalid configuration: ${problems.join("; ")}`, options);
  }
}

/** NATS did not answer within the bounded start-up attempts. */
export class NatsUnavailableError extends Error {
  override readonly name = "NatsUnavailableError";
  readonly code = "NATS_UNAVAILABLE" as const;
  constructor(
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`NATS unavailable after ${attempts} connection attempt(s)`, options);
  }
}

/** A stream, consumer or bucket could not be created, updated or deleted (e.g. an immutable field changed). */
export class JetStreamSetupError extends Error {
  override readonly name = "JetStreamSetupError";
  readonly code = "JETSTREAM_SETUP_FAILED" as const;
  constructor(
    readonly resource: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${resource}: ${message}`, options);
  }
}

/** PostgreSQL did not answer `select 1` within the bounded attempts. */
export class DatabaseUnavailableError extends Error {
  override readonly name = "DatabaseUnavailableError";
  readonly code = "DATABASE_UNAVAILABLE" as const;
  constructor(
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`database unavailable after ${attempts} attempt(s)`, options);
  }
}

/** A shutdown step did not finish within its time budget. */
export class ShutdownTimeoutError extends Error {
  override readonly name = "ShutdownTimeoutError";
  readonly code = "SHUTDOWN_STEP_TIMEOUT" as const;
  constructor(
    readonly step: string,
    readonly timeoutMs: number,
  ) {
    super(`shutdown step "${step}" did not finish within ${timeoutMs} ms`);
  }
}

export type SealErrorCode = "SEAL_KEY_RING_INVALID" | "SEAL_UNKNOWN_KEY" | "SEAL_MALFORMED" | "SEAL_TAMPERED";

/** Sealing failures; messages name key ids at most, never key material or plaintext. */
export class SealError extends Error {
  override readonly name = "SealError";
  constructor(
    readonly code: SealErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type SnapshotContentErrorCode = "SNAPSHOT_BLOB_MISSING" | "SNAPSHOT_CONTENT_INVALID";

/** Content could not be opened for a reason other than sealing (those raise SealError). */
export class SnapshotContentError extends Error {
  override readonly name = "SnapshotContentError";
  constructor(
    readonly code: SnapshotContentErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A blob whose chunks did not all arrive within the read's time limit (`getBlobWithin`). */
export class BlobReadTimeoutError extends Error {
  override readonly name = "BlobReadTimeoutError";
  readonly code = "SNAPSHOT_BLOB_READ_TIMEOUT";
  constructor(blobName: string, timeoutMs: number) {
    super(`snapshot blob ${blobName} not read within ${timeoutMs} ms`);
  }
}
