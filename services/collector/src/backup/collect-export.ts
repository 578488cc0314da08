import type { DeviceCredentials, DeviceTarget } from "@netledger/contracts";
import type { CheckedExport, CommandOutput, DeviceDriver, NormalizedExport } from "@netledger/drivers";
import { BackupError } from "../errors.js";
import type { SshConnector, SshSession } from "../ssh/ssh-session.js";
import type { BackupLimits } from "./backup-types.js";
import { needsSecondRead, settleReads } from "./second-read.js";

/** A complete, normalized export, ready to seal and publish. Holds config text: never log it. */
export interface CollectedExport {
  /** The normalized text as UTF-8 chunks, hashed as they were made (never joined into one text). */
  readonly normalized: NormalizedExport;
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
export function normalizedText(collected: Pick<CollectedExport, "normalized">): string {
  return Buffer.concat(collected.normalized.chunks).toString("utf8");
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
    let normalized = first.normalized;
    let commands = first.commands;
    if (needsSecondRead(normalized.bytes, device.lastSnapshotBytes, limits)) {
      const settled = await settleReads(normalized, async (keepNormalized) => {
        commands++;
        const { checked } = await streamExport(session, driver, first.command, input, keepNormalized);
        return checked.ok ? checked.normalized : null;
      });
      if (settled === null) {
        throw new BackupError("EXPORT_TRUNCATED", "export differed between reads: it may have stopped early");
      }
      normalized = settled;
    }
    return {
      normalized,
      sha256: normalized.sha256,
      bytes: normalized.bytes,
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
 * {@link streamExport}); only the normalized chunks of the read used outlive this call.
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
  return { command, commands, softwareVersion: checked.softwareVersion, normalized: checked.normalized };
}

interface StreamedExport {
  /** Stdout holds only its head (see `SshExecOptions.onStdout`) when the session streams. */
  readonly output: CommandOutput;
  readonly checked: CheckedExport;
}

/**
 * Runs `command` with its stdout fed to the driver's `exportReader` chunk by chunk as it arrives:
 * neither the joined stdout nor its whole text ever exists, and each chunk's pieces die young.
 * `keepNormalized: false` keeps only the normalized text's sha256 and size (a read only compared).
 */
async function streamExport(
  session: SshSession,
  driver: DeviceDriver,
  command: string,
  input: CollectExportInput,
  keepNormalized: boolean,
): Promise<StreamedExport> {
  const reader = driver.exportReader({ maxBytes: input.limits.exportMaxBytes }, { keepNormalized });
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
  return { output, checked: reader.end(output) };
}

function execOptions(input: CollectExportInput) {
  return {
    idleTimeoutMs: input.limits.commandTimeoutMs,
    deadlineMs: input.limits.commandDeadlineMs,
    maxBytes: input.limits.exportMaxBytes,
    signal: input.signal,
  };
}
