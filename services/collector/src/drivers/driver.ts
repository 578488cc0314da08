import type { Driver, ErrorCode } from "@netledger/contracts";

/** What one command run over SSH produced. `stdout` is raw bytes: drivers decide how to decode. */
export interface CommandOutput {
  readonly stdout: Buffer;
  readonly stderr: string;
  /** null when the channel closed without an exit status (connection dropped). */
  readonly exitCode: number | null;
}

export type CompletenessResult =
  | { readonly ok: true; readonly text: string }
  | {
      readonly ok: false;
      readonly code: Extract<ErrorCode, "EXPORT_TRUNCATED" | "EXPORT_TOO_LARGE" | "EXPORT_INVALID" | "COMMAND_FAILED">;
      /** Safe for users and logs: never contains config text. */
      readonly reason: string;
    };

export interface ExportLimits {
  /** Raw stdout larger than this is EXPORT_TOO_LARGE. */
  readonly maxBytes: number;
}

/**
 * How to back up one device family. The pipeline (lock, SSH, publish) is shared; a new family
 * (Cisco IOS, Junos, EOS) is one new driver, built from a declarative definition.
 */
export interface DeviceDriver {
  readonly id: Driver;
  /** Export command for a device whose last seen version is known, or null when unknown. */
  exportCommand(softwareVersion: string | null): string;
  /**
   * When `output` shows the device rejected `command` as unsupported on its version, the command
   * to retry with on the same connection; otherwise null.
   */
  fallbackCommand(command: string, output: CommandOutput): string | null;
  /** Pure completeness check of one export; on success returns the decoded text. */
  check(output: CommandOutput, limits: ExportLimits): CompletenessResult;
  /** Pure, idempotent normalization: volatile parts removed, everything meaningful kept. */
  normalize(text: string): string;
  /** Software version the export says it came from, or null. */
  softwareVersion(text: string): string | null;
  /** Attribute names whose values are secrets (redacted in diffs and events). */
  readonly secretAttributes: readonly string[];
}
