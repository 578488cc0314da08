import type { CommandOutput } from "@netledger/drivers";

/** Where and as whom to log in. Credentials are plaintext here: never log this object. */
export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password?: string | undefined;
  readonly privateKey?: string | undefined;
  readonly passphrase?: string | undefined;
  /** `SHA256:...` the device must present, or null to accept any key and report it. */
  readonly pinnedFingerprint: string | null;
  /** Type of the pinned key (`ssh-rsa`, `ssh-ed25519`, ...) when known: asked for first. */
  readonly pinnedKeyType?: string | null | undefined;
}

export interface SshConnectOptions {
  /** Covers TCP connect, SSH handshake and authentication. */
  readonly timeoutMs: number;
  /** Aborting closes the connection; the pending call rejects with the signal's reason when it is a BackupError. */
  readonly signal?: AbortSignal | undefined;
}

export interface SshExecOptions {
  /** Fails with SSH_TIMEOUT when no output arrives for this long (a hanging device). */
  readonly idleTimeoutMs: number;
  /** Fails with SSH_TIMEOUT when the command has not finished by then, however busy it is. */
  readonly deadlineMs: number;
  /** Stdout beyond this fails with EXPORT_TOO_LARGE at once; the rest is never read. */
  readonly maxBytes: number;
  /**
   * Sees each stdout chunk as it arrives (an export checked and normalized as it streams in). The
   * output's `stdout` then holds only the first {@link STDOUT_HEAD_BYTES} bytes, enough to tell a
   * rejected command (`fallbackCommand`): the whole output is never held.
   */
  readonly onStdout?: ((chunk: Buffer) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** How much of stdout `exec` keeps when the caller reads it chunk by chunk (`onStdout`). */
export const STDOUT_HEAD_BYTES = 64 * 1024;

/** One authenticated SSH connection. Any failed `exec` closes it: it is not reused after an error. */
export interface SshSession {
  /** Fingerprint of the key the device presented (equal to the pinned one when pinned). */
  readonly hostKeyFingerprint: string;
  /** Type of that key as named in its blob (`ssh-ed25519`, `ssh-rsa`, ...), null if unreadable. */
  readonly hostKeyType: string | null;
  exec(command: string, options: SshExecOptions): Promise<CommandOutput>;
  /**
   * Ends the connection and resolves once the socket is closed (bounded), so a lock released
   * afterwards never overlaps this session on the device.
   */
  close(): Promise<void>;
}

/**
 * The SSH seam of the collector: the pipeline depends on this, the ssh2 adapter implements it.
 * Rejections are always `SshError` (or the abort reason) with a stable code.
 */
export interface SshConnector {
  connect(target: SshTarget, options: SshConnectOptions): Promise<SshSession>;
}
