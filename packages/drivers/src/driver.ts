import type { Driver, ErrorCode } from "@netledger/contracts";
import type { StructuredChange } from "./changes/structured-change.js";
import type { ExportReader, ExportReaderOptions } from "./export/export-reader.js";

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

/** A normalized export as UTF-8 chunks: joined, exactly what `normalize` returns for the checked text. */
export interface NormalizedExport {
  readonly chunks: readonly Buffer[];
  /** Total bytes of the chunks. */
  readonly bytes: number;
  /** Lowercase hex sha256 of the joined chunks (`sha256Hex` of the normalized text). */
  readonly sha256: string;
}

/** `check`, `normalize` and `softwareVersion` of one output, done in one pass. */
export type CheckedExport =
  | Extract<CompletenessResult, { ok: false }>
  | { readonly ok: true; readonly normalized: NormalizedExport; readonly softwareVersion: string | null };

export interface ExportLimits {
  /** Raw stdout larger than this is EXPORT_TOO_LARGE. */
  readonly maxBytes: number;
}

/**
 * How to back up one device family. The pipeline (lock, SSH, publish) is shared; a new family
 * (Cisco IOS, Junos, EOS) is one new driver, built by `defineDriver` from a declarative
 * `DriverDefinition` (see `routeros/definition.ts`). Every method is pure.
 *
 * Order of use for one backup: `exportCommand(lastSeenVersion)`; run it; when the device rejects
 * it, `fallbackCommand(command, output)` gives the command to retry once; `check(output)`; on
 * success `normalize(text)`, hash it, and remember `softwareVersion(text)` for the next run.
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
  /**
   * Pure completeness check of one export; on success returns the decoded text. A dropped
   * connection (`exitCode: null`) after export text arrived is EXPORT_TRUNCATED, not
   * COMMAND_FAILED: nothing proves the export ended. See `export/completeness.ts` for the order.
   */
  check(output: CommandOutput, limits: ExportLimits): CompletenessResult;
  /**
   * `check`, then `normalize` and `softwareVersion` of the checked text, in one pass over its lines,
   * the normalized text as hashed UTF-8 chunks rather than one string (a multi-MB export is held
   * once as text, not again normalized). What the collector runs on every export it reads.
   */
  checkAndNormalize(output: CommandOutput, limits: ExportLimits): CheckedExport;
  /**
   * `checkAndNormalize` for stdout read chunk by chunk: `push` each chunk as it arrives, `end` with
   * how the command ended. Same result as `checkAndNormalize` of the chunks joined, without ever
   * holding them joined or their whole text (see `export/export-reader.ts`).
   */
  exportReader(limits: ExportLimits, options?: ExportReaderOptions): ExportReader;
  /** Pure, idempotent normalization: volatile parts removed, everything meaningful kept. */
  normalize(text: string): string;
  /** Software version the export says it came from, or null. */
  softwareVersion(text: string): string | null;
  /**
   * Attribute names whose values are secrets wherever they appear (redacted in diffs and events).
   * A definition may also list secrets that depend on their menu (e.g. an SNMP community's name);
   * `redactSecrets` applies both.
   */
  readonly secretAttributes: readonly string[];
  /**
   * Pure redacted projection of a normalized export for diffs, structured changes, search and
   * events: every secret value becomes the fixed marker `******`. The marker says nothing about
   * the value (a hash prefix of a weak password would leak it), so "a secret changed" is found by
   * comparing the sealed full texts, not the projections.
   */
  redactSecrets(normalizedText: string): string;
  /** The same function as `redactSecrets`, under the name the ingestor and gateway use. */
  redact(text: string): string;
  /**
   * Entity-level changes between two full (unredacted, normalized) exports of one device: what
   * was added, removed, modified or moved, by menu path and identity, with redacted attributes
   * and `secretChanged` where only the unredacted texts tell a secret changed. Pure; the texts
   * stay in memory. See `changes/structured-change.ts`.
   *
   * `redacted`, when the caller already holds them, must be exactly `redact(beforeFull)` and
   * `redact(afterFull)`: they are reused instead of redacting both texts again.
   */
  structuredChanges(
    beforeFull: string,
    afterFull: string,
    redacted?: { readonly before: string; readonly after: string },
  ): StructuredChange[];
}
