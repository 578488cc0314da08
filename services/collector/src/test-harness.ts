import { randomUUID } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import {
  type BackupFailedEvent,
  BackupFailedEventCodec,
  type DeviceCredentials,
  type DeviceTarget,
  type SnapshotEvent,
  SnapshotEventCodec,
  type TriggerReply,
  TriggerReplyCodec,
  TriggerRequestCodec,
} from "@netledger/contracts";
import { type Fleet, type FleetOptions, type SimDevice, startFleet } from "@netledger/device-sim";
import {
  createLockClients,
  createLogger,
  deviceSealAad,
  openSnapshotBlobs,
  openSnapshotContent,
} from "@netledger/platform";
import { createWorld, type World } from "@netledger/testkit";
import { Registry } from "prom-client";
import { type Collector, startCollector } from "./collector.js";
import { type CollectorConfig, loadCollectorConfig } from "./config.js";

/**
 * Test support for collector integration tests: a private world (namespace, Redis prefix, key
 * ring), a simulated fleet, an in-process collector with short timeouts, and helpers to trigger
 * backups and read what reached JetStream. Not exported from the package.
 */

/** Short timeouts so failure tests end quickly; tests override per need. */
export const TEST_ENV: Readonly<Record<string, string>> = {
  SSH_CONNECT_TIMEOUT_MS: "2000",
  SSH_COMMAND_TIMEOUT_MS: "2000",
  SSH_COMMAND_DEADLINE_MS: "30000",
  LOCK_TTL_MS: "3000",
  COLLECTOR_ACK_WAIT_MS: "8000",
  COLLECTOR_RETRY_BASE_MS: "200",
  COLLECTOR_RETRY_MAX_MS: "1000",
  COLLECTOR_SHUTDOWN_GRACE_MS: "3000",
  COLLECTOR_CONCURRENCY: "8",
  LOG_LEVEL: "silent",
};

export { until } from "@netledger/testkit";

export interface DeviceRef {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly device: DeviceTarget;
}

export interface HarnessOptions {
  readonly fleet: FleetOptions;
  /** Extra collector environment (over world.env() and TEST_ENV). */
  readonly env?: Record<string, string>;
  /** Start an in-process collector (default true). */
  readonly collector?: boolean;
}

export interface Harness {
  readonly world: World;
  readonly fleet: Fleet;
  readonly config: CollectorConfig;
  readonly collector: Collector | undefined;
  readonly tenantId: string;
  /**
   * The target a gateway would send for `sim` (one stable deviceId per device name), with its
   * password sealed as the gateway would, or the given credentials instead.
   */
  ref(sim: SimDevice, overrides?: Partial<DeviceTarget>, credentials?: DeviceCredentials): DeviceRef;
  trigger(ref: DeviceRef, timeoutMs?: number): Promise<TriggerReply>;
  /** The last snapshot stored for the device, with its Nats-Msg-Id, or null. */
  snapshot(ref: DeviceRef): Promise<{ msgId: string | undefined; event: SnapshotEvent } | null>;
  /** The last backup-failed event of the device, or null. */
  lastFailure(ref: DeviceRef): Promise<BackupFailedEvent | null>;
  /** Opens a snapshot's sealed content back to the normalized text. */
  openContent(event: SnapshotEvent): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const world = await createWorld({ database: false });
  const cleanups: Array<() => Promise<unknown>> = [() => world.close()];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const fleet = await startFleet(options.fleet);
    cleanups.push(() => fleet.stop());
    const config = loadCollectorConfig({ ...world.env(), ...TEST_ENV, ...options.env });
    const logger = createLogger({ name: "collector-test", level: config.LOG_LEVEL });
    let collector: Collector | undefined;
    if (options.collector !== false) {
      const lockClients = await createLockClients([...config.REDIS_LOCK_URLS], { logger, readyTimeoutMs: 1_000 });
      cleanups.push(async () => {
        for (const client of lockClients) client.disconnect();
      });
      collector = await startCollector({ config, nc: world.nc, lockClients, logger, registry: new Registry() });
      const started = collector;
      cleanups.push(() => started.stop());
    }
    const jsm = await jetstreamManager(world.nc);
    const blobs = await openSnapshotBlobs(world.nc, world.wire);
    const tenantId = randomUUID();
    const ids = new Map<string, string>();

    const ref = (sim: SimDevice, overrides: Partial<DeviceTarget> = {}, login?: DeviceCredentials): DeviceRef => {
      const deviceId = ids.get(sim.name) ?? randomUUID();
      ids.set(sim.name, deviceId);
      const credentials = world.sealer.sealString(
        JSON.stringify(login ?? { username: sim.username, password: sim.password }),
        deviceSealAad(tenantId, deviceId),
      );
      const device: DeviceTarget = {
        name: sim.name,
        host: sim.host,
        port: sim.port,
        driver: "routeros",
        credentials,
        hostKeyFingerprint: null,
        ...overrides,
      };
      return { tenantId, deviceId, device };
    };

    return {
      world,
      fleet,
      config,
      collector,
      tenantId,
      ref,
      async trigger(target, timeoutMs = 20_000) {
        const request = { requestId: randomUUID(), requestedAt: new Date().toISOString(), ...target };
        const reply = await world.nc.request(world.wire.subjects.trigger, TriggerRequestCodec.encode(request), {
          timeout: timeoutMs,
        });
        return TriggerReplyCodec.decode(reply.data);
      },
      async snapshot(target) {
        const subject = world.wire.subjects.snapshot(target.tenantId, target.deviceId);
        const stored = await jsm.streams.getMessage(world.wire.streams.snapshots.name, { last_by_subj: subject });
        if (!stored) return null;
        return { msgId: stored.header?.get("Nats-Msg-Id"), event: SnapshotEventCodec.decode(stored.data) };
      },
      async lastFailure(target) {
        const subject = world.wire.subjects.backupFailed(target.tenantId, target.deviceId);
        const stored = await jsm.streams.getMessage(world.wire.streams.events.name, { last_by_subj: subject });
        return stored ? BackupFailedEventCodec.decode(stored.data) : null;
      },
      openContent(event) {
        return openSnapshotContent(event.content, {
          sealer: world.sealer,
          aad: deviceSealAad(event.tenantId, event.deviceId),
          blobs,
        });
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
