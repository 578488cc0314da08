/** Stable codes of what can stop the dev stack from starting. */
export type DevStackErrorCode =
  /** A server is neither answering nor installed, and could not be installed. */
  | "DEV_STACK_SERVER_MISSING"
  /** A service exited or did not become ready during start-up. */
  | "DEV_STACK_SERVICE_FAILED"
  /** The persisted seal key file is unreadable or not a key ring. */
  | "DEV_STACK_SEAL_KEYS_INVALID";

/** A start-up problem the dev stack reports in one line and exits 1 for. Messages never hold secrets. */
export class DevStackError extends Error {
  override readonly name = "DevStackError";
  constructor(
    readonly code: DevStackErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
