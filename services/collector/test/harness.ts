import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
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
  type TriggerRequest,
  TriggerRequestCodec,
} from "@netledger/contracts";
import { type Fleet, type FleetOptions, type SimDevice, startFleet } from "@netledger/device-sim";
import {
  createLockClients,
  createLogger,
  deviceSealAad,
  type Logger,
  openSnapshotBlobs,
  openSnapshotContent,
} from "@netledger/platform";
import { createWorld, freePort, type ServiceProcess, startServiceProcess, type World } from "@netledger/testkit";
import { Registry } from "prom-client";
import { type Collector, startCollector } from "../src/collector.js";
import { type CollectorConfig, loadCollectorConfig } from "../src/config.js";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

/** A collector process started from `src/main.ts`, as production runs it. */
export interface Replica {
  readonly process: ServiceProcess;
  readonly opsPort: number;
  /** Sends SIGTERM and resolves with the exit code once it exited. */
  terminate(): Promise<number | null>;
  /** The current value of the series `name` with (at least) these labels; 0 when absent. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

/**
 * Test support for collector integration tests (outside `src/`: what ships never imports the
 * testkit or the device simulator, architecture invariant 10): a private world (namespace, Redis prefix, key
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
  COLLECTOR_JOB_MAX_ATTEMPTS: "3",
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
  /** Where the in-process collector logs (default: a logger at the config's LOG_LEVEL). */
  readonly logger?: Logger;
  /** NATS server of the world (a private one for fault tests); default the located one. */
  readonly natsUrl?: string;
}

export interface Harness {
  readonly world: World;
  readonly fleet: Fleet;
  readonly config: CollectorConfig;
  readonly collector: Collector | undefined;
  readonly tenantId: string;
  /** Names of the blobs in the world's snapshot bucket. */
  blobNames(): Promise<string[]>;
  /**
   * The target a gateway would send for `sim` (one stable deviceId per device name), with its
   * password sealed as the gateway would, or the given credentials instead.
   */
  ref(sim: SimDevice, overrides?: Partial<DeviceTarget>, credentials?: DeviceCredentials): DeviceRef;
  /** Sends a trigger request (fresh requestId unless given) and waits `timeoutMs` for the reply. */
  trigger(ref: DeviceRef, timeoutMs?: number, extra?: Partial<TriggerRequest>): Promise<TriggerReply>;
  /** The last snapshot stored for the device, with its Nats-Msg-Id, or null. */
  snapshot(ref: DeviceRef): Promise<{ msgId: string | undefined; event: SnapshotEvent } | null>;
  /** The last backup-failed event of the device, or null. */
  lastFailure(ref: DeviceRef): Promise<BackupFailedEvent | null>;
  /**
   * Starts a collector process in this world (env: world, TEST_ENV, the harness's env, `env`),
   * resolved once `/readyz` answers 200; killed by `close()` if still running.
   */
  startReplica(env?: Record<string, string>): Promise<Replica>;
  /** Opens a snapshot's sealed content back to the normalized text. */
  openContent(event: SnapshotEvent): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const world = await createWorld({ database: false, ...(options.natsUrl && { natsUrl: options.natsUrl }) });
  const cleanups: Array<() => Promise<unknown>> = [() => world.close()];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const fleet = await startFleet(options.fleet);
    cleanups.push(() => fleet.stop());
    const config = loadCollectorConfig({ ...world.env(), ...TEST_ENV, ...options.env });
    const logger = options.logger ?? createLogger({ name: "collector-test", level: config.LOG_LEVEL });
    let collector: Collector | undefined;
    if (options.collector !== false) {
      const lockClients = await createLockClients([...config.REDIS_LOCK_URLS], {
        logger,
        readyTimeoutMs: 1_000,
        commandTimeoutMs: config.LOCK_COMMAND_TIMEOUT_MS,
      });
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
      async blobNames() {
        return (await blobs.list()).filter((info) => !info.deleted).map((info) => info.name);
      },
      async trigger(target, timeoutMs = 20_000, extra = {}) {
        const request = { requestId: randomUUID(), requestedAt: new Date().toISOString(), ...target, ...extra };
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
      async startReplica(env = {}) {
        const opsPort = await freePort();
        const child = startServiceProcess(MAIN, {
          ...process.env,
          ...world.env(),
          ...TEST_ENV,
          ...options.env,
          OPS_PORT: String(opsPort),
          ...env,
        });
        cleanups.push(async () => {
          if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill("SIGKILL");
          await child.exited;
        });
        await child.waitForHttp(opsPort, "/readyz", 200);
        return {
          process: child,
          opsPort,
          async terminate() {
            child.child.kill("SIGTERM");
            return (await child.exited).code;
          },
          async metric(name, labels = {}) {
            const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
            const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
            const line = text
              .split("\n")
              .find(
                (l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && wanted.every((w) => l.includes(w)),
              );
            return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
          },
        };
      },
      openContent(event) {
        if (event.content.kind === "stored")
          throw new Error("the snapshot carries no content: it repeats a stored version");
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
