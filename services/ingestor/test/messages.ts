import { randomUUID } from "node:crypto";
import type { JetStreamClient } from "@nats-io/jetstream";
import {
  type BackupFailedEvent,
  BackupFailedEventCodec,
  type ErrorCode,
  NORMALIZATION_VERSION,
  type SnapshotEvent,
  SnapshotEventCodec,
  type Wire,
} from "@netledger/contracts";
import type { Database } from "@netledger/db";
import { sha256Hex } from "@netledger/drivers";
import { deviceSealAad, type Sealer, type SnapshotBlobStore, sealSnapshotContent } from "@netledger/platform";
import type { Kysely } from "kysely";

/**
 * Test and benchmark helpers of the ingestor (never imported by its production code): a seeded
 * fleet, synthetic RouterOS exports, and snapshot / backup-failed messages as the collector
 * publishes them.
 */

export interface FleetDevice {
  readonly tenantId: string;
  readonly deviceId: string;
}

/** A tenant with `count` RouterOS devices (no pinned host key yet). */
export async function seedFleet(db: Kysely<Database>, count: number): Promise<FleetDevice[]> {
  const tenant = await db
    .insertInto("tenants")
    .values({ name: `tenant-${randomUUID()}` })
    .returning("id")
    .executeTakeFirstOrThrow();
  const rows = await db
    .insertInto("devices")
    .values(
      Array.from({ length: count }, (_, i) => ({
        tenant_id: tenant.id,
        name: `dev-${String(i).padStart(5, "0")}`,
        host: "192.0.2.1",
        port: 22,
        driver: "routeros",
        credentials_sealed: "v1:k:c2VhbGVk",
      })),
    )
    .returning(["id", "tenant_id"])
    .execute();
  return rows.map((row) => ({ tenantId: row.tenant_id, deviceId: row.id }));
}

/**
 * A normalized RouterOS-style export of about `bytes` bytes. `variant` changes one firewall
 * rule's comment and the MTU of one interface, so variants differ in a few entities;
 * `password` is the value of a user's secret.
 */
export function syntheticConfig(options: { bytes?: number; variant?: number; password?: string } = {}): string {
  const { bytes = 4_000, variant = 0, password = "initial-pass" } = options;
  const lines = ["# jan/02/2025 12:00:00 by RouterOS 7.16.1", "# software id = ABCD-1234", "/interface ethernet"];
  for (let i = 1; i <= 8; i++) {
    const mtu = i === 1 + (variant % 8) && variant > 0 ? 1500 + variant : 1500;
    lines.push(`set [ find default-name=ether${i} ] comment="port ${i}" mtu=${mtu}`);
  }
  lines.push("/system identity", "set name=edge-router", "/user", `add group=full name=ops password=${password}`);
  lines.push("/ip firewall filter");
  const header = lines.join("\n").length;
  const ruleBytes = 90;
  const rules = Math.max(4, Math.ceil((bytes - header) / ruleBytes));
  const changedRule = variant > 0 ? variant % rules : -1;
  for (let i = 0; i < rules; i++) {
    const comment = i === changedRule ? `rule ${i} v${variant}` : `rule ${i}`;
    lines.push(
      `add action=accept chain=forward dst-port=${1000 + i} protocol=tcp src-address=10.${i % 250}.0.0/16 comment="${comment}"`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export interface SnapshotMessageOptions {
  readonly msgId?: string;
  readonly jobId?: string;
  readonly collectedAt?: Date;
  readonly hostKeyFingerprint?: string;
  /** Key type reported with the fingerprint; default `ssh-ed25519`, null to leave it out. */
  readonly hostKeyType?: string | null;
  /** Where content above `inlineLimitBytes` goes (the snapshot blob bucket). */
  readonly blobs?: SnapshotBlobStore;
  readonly inlineLimitBytes?: number;
  /**
   * Send no content (`content.kind: "stored"`), as a collector does when the text hashes to the
   * job's `lastSnapshotSha256`: the event names the text by its sha256 only.
   */
  readonly storedReference?: boolean;
}

/** Fingerprint of the (pretend) host key of every simulated device. */
export const TEST_FINGERPRINT = `SHA256:${"A".repeat(43)}`;

/** A snapshot event for `text`, content sealed for the device as the collector does it. */
export async function snapshotEvent(
  sealer: Sealer,
  wire: Wire,
  device: FleetDevice,
  text: string,
  options: SnapshotMessageOptions = {},
): Promise<SnapshotEvent> {
  const blobs = options.blobs ?? {
    putBlob: async () => {
      throw new Error("no blob store given for large content");
    },
    getBlob: async () => null,
  };
  const content: SnapshotEvent["content"] = options.storedReference
    ? { kind: "stored" }
    : await sealSnapshotContent({
        text,
        sealer,
        aad: deviceSealAad(device.tenantId, device.deviceId),
        blobs,
        bucket: wire.snapshotBlobBucket,
        name: `${device.tenantId}/${device.deviceId}/${randomUUID()}`,
        ...(options.inlineLimitBytes === undefined ? {} : { inlineLimitBytes: options.inlineLimitBytes }),
      });
  return {
    msgId: options.msgId ?? `job:${randomUUID()}`,
    tenantId: device.tenantId,
    deviceId: device.deviceId,
    trigger: options.jobId === undefined ? "manual" : "scheduled",
    ...(options.jobId === undefined ? {} : { jobId: options.jobId }),
    driver: "routeros",
    softwareVersion: "7.16.1",
    sha256: sha256Hex(text),
    bytes: Buffer.byteLength(text),
    collectedAt: (options.collectedAt ?? new Date()).toISOString(),
    normalizationVersion: NORMALIZATION_VERSION,
    hostKeyFingerprint: options.hostKeyFingerprint ?? TEST_FINGERPRINT,
    ...(options.hostKeyType === null ? {} : { hostKeyType: options.hostKeyType ?? "ssh-ed25519" }),
    content,
  };
}

/**
 * Publishes a snapshot event on its subject. `natsMsgId` defaults to the event's msg id (as the
 * collector does); another value gets a copy past JetStream's dedup, as a redelivery would.
 */
export async function publishSnapshotEvent(
  js: JetStreamClient,
  wire: Wire,
  event: SnapshotEvent,
  natsMsgId: string = event.msgId,
): Promise<void> {
  await js.publish(wire.subjects.snapshot(event.tenantId, event.deviceId), SnapshotEventCodec.encode(event), {
    msgID: natsMsgId,
  });
}

/** Publishes a backup-failed event as the collector does. */
export async function publishFailureEvent(
  js: JetStreamClient,
  wire: Wire,
  device: FleetDevice,
  code: ErrorCode,
  options: { msgId?: string; jobId?: string; occurredAt?: Date; observedHostKeyFingerprint?: string } = {},
): Promise<BackupFailedEvent> {
  const event: BackupFailedEvent = {
    msgId: options.msgId ?? `job-failed:${randomUUID()}:1`,
    tenantId: device.tenantId,
    deviceId: device.deviceId,
    trigger: options.jobId === undefined ? "manual" : "scheduled",
    ...(options.jobId === undefined ? {} : { jobId: options.jobId }),
    code,
    message: `backup failed: ${code}`,
    permanent: code === "SSH_AUTH_FAILED" || code === "SSH_HOSTKEY_MISMATCH",
    occurredAt: (options.occurredAt ?? new Date()).toISOString(),
    ...(options.observedHostKeyFingerprint === undefined
      ? {}
      : { observedHostKeyFingerprint: options.observedHostKeyFingerprint }),
  };
  await js.publish(wire.subjects.backupFailed(device.tenantId, device.deviceId), BackupFailedEventCodec.encode(event), {
    msgID: event.msgId,
  });
  return event;
}
