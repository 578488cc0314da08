import type { DeviceCredentials, DeviceTarget } from "@netledger/contracts";
import { type CommandOutput, type DeviceDriver, sha256Hex } from "@netledger/drivers";
import { BackupError } from "../errors.js";
import type { SshConnector, SshSession } from "../ssh/ssh-session.js";
import type { BackupLimits } from "./backup-types.js";
import { needsSecondRead, settleReads } from "./second-read.js";

/** A complete, normalized export, ready to seal and publish. Holds config text: never log it. */
export interface CollectedExport {
  readonly normalized: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly softwareVersion: string | null;
  readonly hostKeyFingerprint: string;
  readonly hostKeyType: string | null;
  readonly connectMs: number;
  readonly exportMs: number;
  /** Commands run on the device (a fallback and second reads add to it). */
  readonly commands: number;
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
    const first = await runExport(session, driver, device.softwareVersion ?? null, input);
    let normalized = checked(driver, first.output, limits);
    let commands = first.commands;
    if (needsSecondRead(Buffer.byteLength(normalized.text, "utf8"), device.lastSnapshotBytes, limits)) {
      const settled = await settleReads(normalized.text, async () => {
        commands++;
        const again = await session.exec(first.command, execOptions(input));
        if (again.exitCode === 0 && sameExport(driver, first.output.stdout, again.stdout)) return normalized.text;
        const result = driver.check(again, { maxBytes: limits.exportMaxBytes });
        return result.ok ? driver.normalize(result.text) : null;
      });
      if (settled === null) {
        throw new BackupError("EXPORT_TRUNCATED", "export differed between reads: it may have stopped early");
      }
      normalized = { ...normalized, text: settled };
    }
    return {
      normalized: normalized.text,
      sha256: sha256Hex(normalized.text),
      bytes: Buffer.byteLength(normalized.text, "utf8"),
      softwareVersion: normalized.softwareVersion,
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

function checked(
  driver: DeviceDriver,
  output: CommandOutput,
  limits: BackupLimits,
): { text: string; softwareVersion: string | null } {
  const result = driver.check(output, { maxBytes: limits.exportMaxBytes });
  if (!result.ok) throw new BackupError(result.code, result.reason);
  return { text: driver.normalize(result.text), softwareVersion: driver.softwareVersion(result.text) };
}

/**
 * Cheap agreement test of two raw reads, so a multi-MB export read twice costs a memory compare,
 * not a second check and normalization (which would hold the event loop, and the lock timers):
 * every byte after the first line equal, and the first lines (which carry the export time) equal
 * once normalized. False only means "compare the normalized texts".
 */
function sameExport(driver: DeviceDriver, a: Buffer, b: Buffer): boolean {
  const endA = a.indexOf(0x0a);
  const endB = b.indexOf(0x0a);
  if (endA === -1 || endB === -1 || a.length - endA !== b.length - endB) return false;
  if (!a.subarray(endA).equals(b.subarray(endB))) return false;
  return (
    driver.normalize(a.subarray(0, endA).toString("utf8")) === driver.normalize(b.subarray(0, endB).toString("utf8"))
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

async function runExport(
  session: SshSession,
  driver: DeviceDriver,
  versionHint: string | null,
  input: CollectExportInput,
): Promise<{ output: CommandOutput; command: string; commands: number }> {
  const command = driver.exportCommand(versionHint);
  const first = await session.exec(command, execOptions(input));
  const fallback = driver.fallbackCommand(command, first);
  if (fallback === null) return { output: first, command, commands: 1 };
  return { output: await session.exec(fallback, execOptions(input)), command: fallback, commands: 2 };
}
