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
