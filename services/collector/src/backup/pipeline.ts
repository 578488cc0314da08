import type { JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import {
  type DeviceCredentials,
  DeviceCredentialsCodec,
  type Driver,
  isPermanentError,
  type PhaseTimings,
  type Wire,
} from "@netledger/contracts";
import type { DeviceDriver } from "@netledger/drivers";
import { deviceSealAad, type Logger, type Sealer } from "@netledger/platform";
import { BackupError, DeviceLockedError, SshError, toBackupError } from "../errors.js";
import type { DeviceLocks } from "../lock/device-locks.js";
import type { CollectorMetrics } from "../metrics.js";
import type { SshConnector } from "../ssh/ssh-session.js";
import type { BackupLimits, BackupOutcome, BackupPipeline, BackupRequest } from "./backup-types.js";
import { collectExport } from "./collect-export.js";
import { type CollectorBlobStore, publishFailure, publishSnapshot } from "./publish-events.js";

export interface BackupPipelineDeps {
  readonly wire: Wire;
  /** For publishes that outlive a reconnect (platform publishUntilAcked). */
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly blobs: CollectorBlobStore;
  readonly sealer: Sealer;
  readonly locks: DeviceLocks;
  readonly ssh: SshConnector;
  readonly getDriver: (id: Driver) => DeviceDriver;
  readonly limits: BackupLimits;
  readonly logger: Logger;
  readonly metrics?: CollectorMetrics | undefined;
  /** Clock for event timestamps (tests). */
  readonly now?: () => Date;
}

/**
 * The one backup pipeline behind both triggers and scheduled jobs:
 * open credentials → lock → SSH connect → export (one fallback at most) → check → normalize →
 * sha256 → seal → publish with msg id and await the PubAck → close → release.
 * Credentials are opened before the lock so a job that can never succeed costs no Redis round trip.
 * Failures (not `locked`) also publish a backup-failed event.
 *
 * @example
 * const backup = createBackupPipeline(deps);
 * const outcome = await backup({ trigger: "manual", tenantId, deviceId, device,
 *   snapshotMsgId: `trigger:${requestId}`, failureMsgId: `trigger-failed:${requestId}` });
 */
export function createBackupPipeline(deps: BackupPipelineDeps): BackupPipeline {
  const now = deps.now ?? (() => new Date());
  return async (request) => {
    const started = performance.now();
    const timings = { lockMs: 0, connectMs: 0, exportMs: 0, publishMs: 0, totalMs: 0 };
    const log = deps.logger.child({
      tenantId: request.tenantId,
      deviceId: request.deviceId,
      jobId: request.jobId,
      trigger: request.trigger,
    });
    deps.metrics?.inFlight.inc({ trigger: request.trigger });
    let outcome: BackupOutcome;
    try {
      outcome = await run(deps, request, timings, started, now);
    } catch (err) {
      const spent = { ...timings, totalMs: performance.now() - started };
      outcome = request.signal?.aborted
        ? { kind: "interrupted", timings: spent }
        : await fail(deps, request, err, spent, now, log);
    } finally {
      deps.metrics?.inFlight.dec({ trigger: request.trigger });
    }
    record(deps.metrics, request, outcome);
    const fields = { outcome: outcome.kind, timings: outcome.timings };
    switch (outcome.kind) {
      case "failed":
        log.warn({ ...fields, code: outcome.code, reason: outcome.message, cause: outcome.cause }, "backup failed");
        break;
      case "locked":
        log.info(fields, "device locked by another backup");
        break;
      case "interrupted":
        log.info(fields, "backup interrupted by shutdown");
        break;
      case "success":
        log.info(
          {
            ...fields,
            sha256: outcome.sha256,
            bytes: outcome.bytes,
            duplicate: outcome.duplicate,
            content: outcome.content,
          },
          "backup done",
        );
    }
    return outcome;
  };
}

async function run(
  deps: BackupPipelineDeps,
  request: BackupRequest,
  timings: { -readonly [K in keyof PhaseTimings]: number },
  started: number,
  now: () => Date,
): Promise<BackupOutcome> {
  const driver = resolveDriver(deps.getDriver, request.device.driver);
  const credentials = openCredentials(deps.sealer, request);
  request.signal?.throwIfAborted();
  return deps.locks.withLock(request.deviceId, async (lockSignal) => {
    timings.lockMs = performance.now() - started;
    const collected = await collectExport({
      ssh: deps.ssh,
      driver,
      device: request.device,
      credentials,
      limits: deps.limits,
      signal: request.signal ? AbortSignal.any([lockSignal, request.signal]) : lockSignal,
      timings,
    });
    const collectedAt = now().toISOString();
    const publishStart = performance.now();
    const { duplicate, content } = await publishSnapshot(
      { ...deps, publishTimeoutMs: deps.limits.publishTimeoutMs },
      request,
      driver.id,
      collected,
      collectedAt,
    );
    timings.publishMs = performance.now() - publishStart;
    timings.totalMs = performance.now() - started;
    return {
      kind: "success",
      snapshotMsgId: request.snapshotMsgId,
      sha256: collected.sha256,
      bytes: collected.bytes,
      collectedAt,
      hostKeyFingerprint: collected.hostKeyFingerprint,
      hostKeyType: collected.hostKeyType,
      softwareVersion: collected.softwareVersion,
      duplicate,
      content,
      timings: { ...timings },
    };
  });
}

async function fail(
  deps: BackupPipelineDeps,
  request: BackupRequest,
  err: unknown,
  timings: PhaseTimings,
  now: () => Date,
  log: Logger,
): Promise<BackupOutcome> {
  if (err instanceof DeviceLockedError) return { kind: "locked", timings };
  const error = toBackupError(err);
  if (error.code === "INTERNAL") log.error({ err }, "unexpected error in backup pipeline");
  const observed = error instanceof SshError ? error : undefined;
  const outcome = {
    kind: "failed" as const,
    code: error.code,
    message: error.message,
    permanent: isPermanentError(error.code),
    observedHostKeyFingerprint: observed?.observedHostKeyFingerprint,
    observedHostKeyType: observed?.observedHostKeyType,
    cause: describeCause(error),
    timings,
  };
  try {
    await publishFailure(
      { ...deps, publishTimeoutMs: deps.limits.publishTimeoutMs },
      request,
      outcome,
      now().toISOString(),
    );
  } catch (publishErr) {
    log.error({ err: publishErr, code: error.code }, "could not publish backup-failed event");
  }
  return outcome;
}

/**
 * What went wrong underneath a coded error, for the log line (a PUBLISH_FAILED says "timeout" or
 * "maximum bytes exceeded" here). The cause of CREDENTIALS_UNREADABLE may quote the opened
 * plaintext, so it is never described.
 */
function describeCause(error: BackupError): string | undefined {
  if (error.code === "CREDENTIALS_UNREADABLE" || error.cause === undefined) return undefined;
  const parts: string[] = [];
  for (let cause: unknown = error.cause; cause !== undefined && parts.length < 4; ) {
    if (cause instanceof Error) {
      const code = (cause as { code?: unknown }).code;
      parts.push(`${cause.name}${code === undefined ? "" : ` ${String(code)}`}: ${cause.message}`.slice(0, 300));
      cause = cause.cause;
    } else {
      parts.push(String(cause).slice(0, 300));
      cause = undefined;
    }
  }
  return parts.join(" <- ");
}

function resolveDriver(getDriver: (id: Driver) => DeviceDriver, id: Driver): DeviceDriver {
  try {
    return getDriver(id);
  } catch (cause) {
    throw new BackupError("DRIVER_UNKNOWN", `no driver "${id}" in this collector`, { cause });
  }
}

function openCredentials(sealer: Sealer, request: BackupRequest): DeviceCredentials {
  try {
    const json = sealer.openString(request.device.credentials, deviceSealAad(request.tenantId, request.deviceId));
    return DeviceCredentialsCodec.decode(json);
  } catch (cause) {
    // The cause may quote parts of the plaintext: keep it out of the message.
    throw new BackupError("CREDENTIALS_UNREADABLE", "device credentials could not be opened", { cause });
  }
}

function record(metrics: CollectorMetrics | undefined, request: BackupRequest, outcome: BackupOutcome): void {
  if (!metrics) return;
  const driver = request.device.driver;
  const code = outcome.kind === "failed" ? outcome.code : outcome.kind === "locked" ? "DEVICE_LOCKED" : "";
  if (outcome.kind === "interrupted") return;
  metrics.backups.inc({ outcome: outcome.kind, driver, trigger: request.trigger, code });
  if (outcome.kind === "locked") metrics.lockContention.inc({ trigger: request.trigger });
  if (outcome.kind !== "success") return;
  metrics.snapshotContent.inc({ kind: outcome.content });
  const t = outcome.timings;
  for (const [phase, ms] of [
    ["lock", t.lockMs],
    ["connect", t.connectMs],
    ["export", t.exportMs],
    ["publish", t.publishMs],
    ["total", t.totalMs],
  ] as const) {
    metrics.phaseSeconds.observe({ phase, driver }, ms / 1000);
  }
}
