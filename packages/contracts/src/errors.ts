/**
 * Stable error codes shared by every service. A code is part of the public contract:
 * it appears in trigger replies, failure events, device status and REST problem documents.
 */
export const ERROR_CODES = [
  "SSH_AUTH_FAILED",
  "SSH_HOSTKEY_MISMATCH",
  "SSH_UNREACHABLE",
  "SSH_TIMEOUT",
  "SSH_CONNECTION_LOST",
  "COMMAND_FAILED",
  "EXPORT_TRUNCATED",
  "EXPORT_TOO_LARGE",
  "EXPORT_INVALID",
  "DEVICE_LOCKED",
  "LOCK_UNAVAILABLE",
  "CREDENTIALS_UNREADABLE",
  "DRIVER_UNKNOWN",
  "PUBLISH_FAILED",
  /**
   * Ingestor: the collector sent no text because the export hashed to the device's latest version
   * named in the job (`content.kind: "stored"`), but no stored version has that sha256 any more
   * (retention removed it meanwhile). Nothing is lost: the device is read again at once.
   */
  "STORED_VERSION_GONE",
  "INVALID_MESSAGE",
  "INTERNAL",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Codes that retrying cannot fix without a human: wrong credentials, a changed host key,
 * a driver that does not exist, credentials sealed with a key we no longer hold, an export over
 * the collector's size limit (retrying would download the whole oversized export again).
 * Scheduled jobs failing with one of these are terminated, not redelivered.
 */
export const PERMANENT_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "SSH_AUTH_FAILED",
  "SSH_HOSTKEY_MISMATCH",
  "EXPORT_TOO_LARGE",
  "CREDENTIALS_UNREADABLE",
  "DRIVER_UNKNOWN",
  "INVALID_MESSAGE",
]);

export function isPermanentError(code: ErrorCode): boolean {
  return PERMANENT_ERROR_CODES.has(code);
}

/** Raised by `decode*` helpers when a message does not match its schema. */
export class InvalidMessageError extends Error {
  override readonly name = "InvalidMessageError";
  readonly code = "INVALID_MESSAGE" as const;
  constructor(
    readonly messageType: string,
    readonly issues: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`invalid ${messageType} message: ${issues.join("; ")}`, options);
  }
}
