import { randomUUID } from "node:crypto";
import type { DeviceTarget } from "@netledger/contracts";
import { deviceSealAad } from "@netledger/platform";
import { createWorld, type World } from "@netledger/testkit";
import type { BenchOptions } from "./cli-args.js";
import { type SimDeviceInfo, type SimFleet, startSimFleet } from "./sim-fleet.js";

/** One simulated device as every pass sees it. */
export interface BenchDevice {
  readonly sim: SimDeviceInfo;
  readonly tenantId: string;
  readonly deviceId: string;
  /** What the gateway or scheduler would send: sealed credentials, pinned host key, last seen version. */
  readonly target: DeviceTarget;
  /** What RouterOS needs for a full export with secrets: v6 rejects `show-sensitive` and shows them anyway. */
  readonly exportCommand: string;
}

export interface BenchWorld {
  readonly world: World;
  readonly fleet: SimFleet;
  readonly devices: readonly BenchDevice[];
  /** Milliseconds spent starting the world and the fleet (not part of any phase). */
  readonly setupMs: number;
  /** Stops the fleet and removes the world's streams, bucket and Redis keys. Idempotent. */
  close(): Promise<void>;
}

/**
 * A private test world (NATS namespace and streams, Redis key prefix, seal key; no database) and
 * one fleet of synthetic RouterOS devices, half 7.16.1 and half 6.49.10, on this thread or on a
 * worker thread (`--sim-thread`).
 */
export async function startBenchWorld(options: BenchOptions): Promise<BenchWorld> {
  const started = performance.now();
  const world = await createWorld({ database: false });
  let fleet: SimFleet;
  try {
    fleet = await startSimFleet(
      {
        count: options.devices,
        latencyMs: options.latencyMs,
        config: { kind: "synthetic", bytes: options.configBytes, seed: options.seed },
      },
      options.simThread ? "worker-thread" : "in-process",
    );
  } catch (err) {
    await world.close().catch(() => {});
    throw err;
  }
  const tenantId = randomUUID();
  const devices = fleet.devices.map((sim) => benchDeviceOf(world, sim, tenantId, randomUUID()));
  let closing: Promise<void> | undefined;
  return {
    world,
    fleet,
    devices,
    setupMs: performance.now() - started,
    close() {
      closing ??= (async () => {
        await fleet.stop().catch(() => {});
        await world.close();
      })();
      return closing;
    },
  };
}

/** A device as the passes see it: credentials sealed for (tenantId, deviceId), host key pinned, version known. */
export function benchDeviceOf(world: World, sim: SimDeviceInfo, tenantId: string, deviceId: string): BenchDevice {
  const credentials = world.sealer.sealString(
    JSON.stringify({ username: sim.username, password: sim.password }),
    deviceSealAad(tenantId, deviceId),
  );
  return {
    sim,
    tenantId,
    deviceId,
    target: {
      name: sim.name,
      host: sim.host,
      port: sim.port,
      driver: "routeros",
      credentials,
      hostKeyFingerprint: sim.hostKeyFingerprint,
      softwareVersion: sim.routerOsVersion,
    },
    exportCommand: sim.majorVersion === 6 ? "/export" : "/export show-sensitive",
  };
}

export interface InsertDevicesOptions {
  /** Start of each device's first regular slot (the column default, now, when absent). */
  readonly nextDueAt?: Date;
  /**
   * Store the host key fingerprint and software version (true, default: as after a first backup)
   * or leave them empty (first contact after an import: trust on first use, v6 detected by the fallback).
   */
  readonly pinned?: boolean;
}

/** Rows per insert statement (10 parameters a row, far below PostgreSQL's 65,535). */
const INSERT_CHUNK = 1_000;

/** The fleet as devices of `tenantId` in PostgreSQL, as the gateway would have stored them. */
export async function insertBenchDevices(
  world: World,
  tenantId: string,
  fleet: readonly SimDeviceInfo[],
  options: InsertDevicesOptions = {},
): Promise<BenchDevice[]> {
  const devices = fleet.map((sim) => benchDeviceOf(world, sim, tenantId, randomUUID()));
  const pinned = options.pinned ?? true;
  for (let i = 0; i < devices.length; i += INSERT_CHUNK) {
    await world.db
      .insertInto("devices")
      .values(
        devices.slice(i, i + INSERT_CHUNK).map(({ deviceId, target }) => ({
          id: deviceId,
          tenant_id: tenantId,
          name: target.name,
          host: target.host,
          port: target.port,
          driver: target.driver,
          credentials_sealed: target.credentials,
          host_key_fingerprint: pinned ? target.hostKeyFingerprint : null,
          software_version: pinned ? target.softwareVersion : null,
          ...(options.nextDueAt && { next_due_at: options.nextDueAt }),
        })),
      )
      .execute();
  }
  return devices;
}
