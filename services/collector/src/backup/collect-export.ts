import type { DeviceCredentials, DeviceTarget } from "@netledger/contracts";
import type { CommandOutput, DeviceDriver } from "@netledger/drivers";
import { sha256Hex } from "@netledger/drivers";
import { BackupError } from "../errors.js";
import type { SshConnector, SshSession } from "../ssh/ssh-session.js";
import type { BackupLimits } from "./backup-types.js";

/** A complete, normalized export, ready to seal and publish. Holds config text: never log it. */
export interface CollectedExport {
  readonly normalized: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly softwareVersion: string | null;
  readonly hostKeyFingerprint: string;
  readonly connectMs: number;
  readonly exportMs: number;
  /** Commands run on the device (2 when the driver fell back). */
  readonly commands: number;
}

export interface CollectExportInput {
  readonly ssh: SshConnector;
  readonly driver: DeviceDriver;
  readonly device: DeviceTarget;
  readonly credentials: DeviceCredentials;
  readonly limits: BackupLimits;
  /** Aborts the SSH session (e.g. the device lock could not be kept). */
  readonly signal: AbortSignal;
}

/**
 * Logs in, runs the driver's export command (falling back at most once, on the same connection,
 * when the device rejects it as unsupported), checks completeness and normalizes. The connection
 * is closed before this returns, whatever happened; nothing from a rejected connection survives.
 */
export async function collectExport(input: CollectExportInput): Promise<CollectedExport> {
  const { driver, device, credentials, limits, signal } = input;
  const connectStart = performance.now();
  const session = await input.ssh.connect(
    {
      host: device.host,
      port: device.port,
      username: credentials.username,
      password: credentials.password,
      privateKey: credentials.privateKey,
      passphrase: credentials.passphrase,
      pinnedFingerprint: device.hostKeyFingerprint,
    },
    { timeoutMs: limits.connectTimeoutMs, signal },
  );
  const connectMs = performance.now() - connectStart;
  const exportStart = performance.now();
  try {
    const { output, commands } = await runExport(session, driver, device.softwareVersion ?? null, input);
    const checked = driver.check(output, { maxBytes: limits.exportMaxBytes });
    if (!checked.ok) throw new BackupError(checked.code, checked.reason);
    const normalized = driver.normalize(checked.text);
    return {
      normalized,
      sha256: sha256Hex(normalized),
      bytes: Buffer.byteLength(normalized, "utf8"),
      softwareVersion: driver.softwareVersion(checked.text),
      hostKeyFingerprint: session.hostKeyFingerprint,
      connectMs,
      exportMs: performance.now() - exportStart,
      commands,
    };
  } finally {
    await session.close();
  }
}

async function runExport(
  session: SshSession,
  driver: DeviceDriver,
  versionHint: string | null,
  input: CollectExportInput,
): Promise<{ output: CommandOutput; commands: number }> {
  const execOptions = {
    idleTimeoutMs: input.limits.commandTimeoutMs,
    deadlineMs: input.limits.commandDeadlineMs,
    maxBytes: input.limits.exportMaxBytes,
    signal: input.signal,
  };
  const command = driver.exportCommand(versionHint);
  const first = await session.exec(command, execOptions);
  const fallback = driver.fallbackCommand(command, first);
  if (fallback === null) return { output: first, commands: 1 };
  return { output: await session.exec(fallback, execOptions), commands: 2 };
}
