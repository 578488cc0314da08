import type { ErrorCode } from "@netledger/contracts";

/**
 * Errors raised inside the collector. Every failure of a backup ends as a {@link BackupError}
 * carrying a stable contract code (`SSH_TIMEOUT`, `EXPORT_TOO_LARGE`, ...), which the pipeline
 * turns into a `failed` outcome. Messages are safe for users and logs: they never hold
 * credentials, host-key material beyond fingerprints, or config text.
 */
export class BackupError extends Error {
  override readonly name: string = "BackupError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The SSH layer failed: connect, handshake, authentication, host key, command or transfer. */
export class SshError extends BackupError {
  override readonly name = "SshError";
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; observedHostKeyFingerprint?: string; observedHostKeyType?: string },
  ) {
    super(code, message, options);
    this.observedHostKeyFingerprint = options?.observedHostKeyFingerprint;
    this.observedHostKeyType = options?.observedHostKeyType;
  }
  /** Set with SSH_HOSTKEY_MISMATCH: the key the device presented, for an admin to review. */
  readonly observedHostKeyFingerprint: string | undefined;
  /** Set with SSH_HOSTKEY_MISMATCH: that key's type (`ssh-ed25519`, ...), when readable. */
  readonly observedHostKeyType: string | undefined;
}

/** Another backup holds the device lock right now (DEVICE_LOCKED). Not a device failure. */
export class DeviceLockedError extends BackupError {
  override readonly name = "DeviceLockedError";
  constructor() {
    super("DEVICE_LOCKED", "another backup of this device is running");
  }
}

/** The lock quorum could not be reached, or a held lock could not be kept (LOCK_UNAVAILABLE). */
export class LockUnavailableError extends BackupError {
  override readonly name = "LockUnavailableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("LOCK_UNAVAILABLE", message, options);
  }
}

/** Turns anything thrown into a BackupError without leaking its message (it may hold secrets). */
export function toBackupError(err: unknown, fallback: ErrorCode = "INTERNAL"): BackupError {
  if (err instanceof BackupError) return err;
  return new BackupError(fallback, fallback === "INTERNAL" ? "internal collector error" : fallback, { cause: err });
}
