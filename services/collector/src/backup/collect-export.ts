import { gunzipSync } from "node:zlib";
import type { DeviceCredentials, DeviceTarget } from "@netledger/contracts";
import type { CheckedExport, CommandOutput, DeviceDriver } from "@netledger/drivers";
import { SnapshotGzip, type SnapshotText } from "@netledger/platform";
import { BackupError } from "../errors.js";
import type { SshConnector, SshSession } from "../ssh/ssh-session.js";
import type { BackupLimits } from "./backup-types.js";
import { needsSecondRead, settleReads } from "./second-read.js";

/** A complete, normalized export, ready to seal and publish. Holds config text: never log it. */
export interface CollectedExport {
  /**
   * The normalized text as `sealSnapshotContent` takes it, never joined into one text: its UTF-8
   * chunks up to 1 MiB, gzipped as it was read above (see `SnapshotGzip`).
   */
  readonly content: SnapshotText;
  /** sha256 of the normalized text, hashed as its chunks were made. */
  readonly sha256: string;
  /** Bytes of the normalized text. */
  readonly bytes: number;
  readonly softwareVersion: string | null;
  readonly hostKeyFingerprint: string;
  readonly hostKeyType: string | null;
  readonly connectMs: number;
  readonly exportMs: number;
  /** Commands run on the device (a fallback and second reads add to it). */
  readonly commands: number;
}

/** The normalized text of `collected` as one string: for tests and tools, never the backup path. */
export function normalizedText(collected: Pick<CollectedExport, "content">): string {
  const { content } = collected;
  if (typeof content === "string") return content;
  if ("gzipped" in content) return gunzipSync(content.gzipped).toString("utf8");
  return Buffer.concat(content).toString("utf8");
}

/** Where collectExport writes its phase times as they end, so a failed backup still reports them. */
export interface CollectTimings {
  connectMs: number;
  exportMs: number;
}

export interface CollectExportInput {
  readonly ssh: SshConnector;
  readonly driver: DeviceDriver;
  readonly device: DeviceTarget;
  readonly credentials: DeviceCredentials;
  readonly limits: BackupLimits;
  /** Aborts the SSH session (e.g. the device lock could not be kept). */
  readonly signal: AbortSignal;
  readonly timings?: CollectTimings | undefined;
}

/**
 * Logs in, runs the driver's export command (falling back at most once, on the same connection,
 * when the device rejects it as unsupported or the version hint was stale), checks completeness
 * and normalizes. An export that may have stopped early with exit status 0 (see `second-read.ts`)
 * is read again on the same connection and stored only when two reads agree. The connection is
 * closed before this returns, whatever happened; nothing from a rejected connection survives.
 */
export async function collectExport(input: CollectExportInput): Promise<CollectedExport> {
  const { driver, device, credentials, limits, signal } = input;
  const timings = input.timings ?? { connectMs: 0, exportMs: 0 };
  const connectStart = performance.now();
  let session: SshSession;
  try {
    session = await input.ssh.connect(
      {
        host: device.host,
        port: device.port,
        username: credentials.username,
        password: credentials.password,
        privateKey: credentials.privateKey,
        passphrase: credentials.passphrase,
        pinnedFingerprint: device.hostKeyFingerprint,
        pinnedKeyType: device.hostKeyType,
      },
      { timeoutMs: limits.connectTimeoutMs, signal },
    );
  } finally {
    timings.connectMs = performance.now() - connectStart;
  }
  const exportStart = performance.now();
  try {
    const first = await readExport(session, driver, device.softwareVersion ?? null, input);
    let read = first.read;
    let commands = first.commands;
    if (needsSecondRead(read.bytes, device.lastSnapshotBytes, limits)) {
      const settled = await settleReads(read, async (keepNormalized) => {
        commands++;
        return (await streamExport(session, driver, first.command, input, keepNormalized)).read;
      });
      if (settled === null) {
        throw new BackupError("EXPORT_TRUNCATED", "export differed between reads: it may have stopped early");
      }
      read = settled;
    }
    return {
      content: read.content ?? [],
      sha256: read.sha256,
      bytes: read.bytes,
      softwareVersion: first.softwareVersion,
      hostKeyFingerprint: session.hostKeyFingerprint,
      hostKeyType: session.hostKeyType,
      connectMs: timings.connectMs,
      exportMs: performance.now() - exportStart,
      commands,
    };
  } finally {
    timings.exportMs = performance.now() - exportStart;
    await session.close();
  }
}

/**
 * Runs the driver's export command, falling back at most once on the same connection when the
 * device rejects it as unsupported or the version hint was stale (`fallbackCommand`, which reads
 * the head of stdout). Each output is checked and normalized as it streams in (see
 * {@link streamExport}); only the normalized text of the read used (gzipped when large) outlives
 * this call.
 */
async function readExport(
  session: SshSession,
  driver: DeviceDriver,
  versionHint: string | null,
  input: CollectExportInput,
) {
  let command = driver.exportCommand(versionHint);
  let commands = 1;
  let read: StreamedExport | undefined = await streamExport(session, driver, command, input, true);
  const fallback = driver.fallbackCommand(command, read.output);
  if (fallback !== null) {
    read = undefined;
    command = fallback;
    commands = 2;
    read = await streamExport(session, driver, command, input, true);
  }
  const { checked } = read;
  if (!checked.ok) throw new BackupError(checked.code, checked.reason);
  return { command, commands, softwareVersion: checked.softwareVersion, read: read.read! };
}

/** One read that passed the driver's check: its digest, and its text when it was kept. */
interface ExportRead {
  readonly sha256: string;
  readonly bytes: number;
  /** null for a read kept as a digest only. */
  readonly content: SnapshotText | null;
}

interface StreamedExport {
  /** Stdout holds only its head (see `SshExecOptions.onStdout`) when the session streams. */
  readonly output: CommandOutput;
  readonly checked: CheckedExport;
  /** null when the check refused the export. */
  readonly read: ExportRead | null;
}

/**
 * Runs `command` with its stdout fed to the driver's `exportReader` chunk by chunk as it arrives:
 * neither the joined stdout nor its whole text ever exists, and each chunk's pieces die young.
 * `keepNormalized: false` keeps only the normalized text's sha256 and size (a read only compared);
 * otherwise its normalized chunks go to a {@link SnapshotGzip} as they are made, so a large export
 * is held only gzipped. The gzip stream of a read that fails or is refused is destroyed here.
 */
async function streamExport(
  session: SshSession,
  driver: DeviceDriver,
  command: string,
  input: CollectExportInput,
  keepNormalized: boolean,
): Promise<StreamedExport> {
  const gzip = keepNormalized ? new SnapshotGzip() : null;
  try {
    const reader = driver.exportReader(
      { maxBytes: input.limits.exportMaxBytes },
      gzip === null ? { keepNormalized: false } : { onNormalized: (chunk) => gzip.write(chunk) },
    );
    let streamed = false;
    const output = await session.exec(command, {
      ...execOptions(input),
      onStdout: (chunk) => {
        streamed = true;
        reader.push(chunk);
      },
    });
    // A session that does not stream (a test double) hands the whole stdout over at the end.
    if (!streamed) reader.push(output.stdout);
    const checked = reader.end(output);
    if (!checked.ok) {
      gzip?.destroy();
      return { output, checked, read: null };
    }
    const { sha256, bytes } = checked.normalized;
    return { output, checked, read: { sha256, bytes, content: gzip === null ? null : await gzip.end() } };
  } catch (error) {
    gzip?.destroy();
    throw error;
  }
}

function execOptions(input: CollectExportInput) {
  return {
    idleTimeoutMs: input.limits.commandTimeoutMs,
    deadlineMs: input.limits.commandDeadlineMs,
    maxBytes: input.limits.exportMaxBytes,
    signal: input.signal,
  };
}
