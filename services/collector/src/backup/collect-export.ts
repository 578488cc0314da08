import { createHash } from "node:crypto";
import type { DeviceCredentials, DeviceTarget } from "@netledger/contracts";
import type { CommandOutput, DeviceDriver, NormalizedExport } from "@netledger/drivers";
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
      const settled = await settleReads(normalized, async () => {
        commands++;
        const reader = new RawReader();
        const again = await session.exec(first.command, { ...execOptions(input), onStdout: (c) => reader.push(c) });
        // A session that does not stream chunks (a test double) leaves the reader empty.
        const read = reader.empty ? rawRead(driver, again.stdout) : reader.result(driver);
        if (again.exitCode === 0 && sameRead(first.raw, read)) return normalized;
        const result = driver.checkAndNormalize(again, { maxBytes: limits.exportMaxBytes });
        return result.ok ? result.normalized : null;
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
 * Runs the export (see `runExport`), checks and normalizes it in one pass (the driver's
 * `checkAndNormalize`): the raw bytes, their decoded text and the normalized chunks are each made
 * once, and only the chunks outlive this call; what a second read needs of the raw bytes is kept
 * as a {@link RawRead}.
 */
async function readExport(
  session: SshSession,
  driver: DeviceDriver,
  versionHint: string | null,
  input: CollectExportInput,
) {
  let run: ExportRun | undefined = await runExport(session, driver, versionHint, input);
  const { command, commands } = run;
  const raw = rawRead(driver, run.output.stdout);
  const result = driver.checkAndNormalize(run.output, { maxBytes: input.limits.exportMaxBytes });
  run = undefined;
  if (!result.ok) throw new BackupError(result.code, result.reason);
  return { command, commands, raw, softwareVersion: result.softwareVersion, normalized: result.normalized };
}

/**
 * What the cheap agreement test of two raw reads compares, so a multi-MB export read twice costs
 * a hash, not a second check and normalization (which would hold the event loop, and the lock
 * timers): every byte after the first line (by length and sha256), and the first line (which
 * carries the export time) once normalized. Null when there is no line end.
 */
interface RawRead {
  readonly firstLine: string;
  readonly restBytes: number;
  readonly restSha256: string;
}

function rawRead(driver: DeviceDriver, stdout: Buffer): RawRead | null {
  const reader = new RawReader();
  reader.push(stdout);
  return reader.result(driver);
}

/** Builds a {@link RawRead} from output chunks as they arrive, holding only the first line. */
class RawReader {
  readonly #firstLine: Buffer[] = [];
  #firstLineDone = false;
  readonly #rest = createHash("sha256");
  #restBytes = 0;
  empty = true;

  push(chunk: Buffer): void {
    this.empty &&= chunk.length === 0;
    let rest = chunk;
    if (!this.#firstLineDone) {
      const end = chunk.indexOf(0x0a);
      this.#firstLine.push(Buffer.from(end === -1 ? chunk : chunk.subarray(0, end)));
      if (end === -1) return;
      this.#firstLineDone = true;
      rest = chunk.subarray(end);
    }
    this.#restBytes += rest.length;
    this.#rest.update(rest);
  }

  result(driver: DeviceDriver): RawRead | null {
    if (!this.#firstLineDone) return null;
    return {
      firstLine: driver.normalize(Buffer.concat(this.#firstLine).toString("utf8")),
      restBytes: this.#restBytes,
      restSha256: this.#rest.digest("hex"),
    };
  }
}

/** Whether two raw reads surely hold the same export. False only means "compare the normalized texts". */
function sameRead(a: RawRead | null, b: RawRead | null): boolean {
  return (
    a !== null &&
    b !== null &&
    a.restBytes === b.restBytes &&
    a.restSha256 === b.restSha256 &&
    a.firstLine === b.firstLine
  );
}

function execOptions(input: CollectExportInput) {
  return {
    idleTimeoutMs: input.limits.commandTimeoutMs,
    deadlineMs: input.limits.commandDeadlineMs,
    maxBytes: input.limits.exportMaxBytes,
    signal: input.signal,
  };
}

interface ExportRun {
  readonly output: CommandOutput;
  readonly command: string;
  readonly commands: number;
}

async function runExport(
  session: SshSession,
  driver: DeviceDriver,
  versionHint: string | null,
  input: CollectExportInput,
): Promise<ExportRun> {
  const command = driver.exportCommand(versionHint);
  const first = await session.exec(command, execOptions(input));
  const fallback = driver.fallbackCommand(command, first);
  if (fallback === null) return { output: first, command, commands: 1 };
  return { output: await session.exec(fallback, execOptions(input)), command: fallback, commands: 2 };
}
