import { Worker } from "node:worker_threads";
import { type DeviceStats, type Fleet, type FleetOptions, startFleet } from "@netledger/device-sim";

/** What the passes need to know about a simulated device, wherever the fleet runs. Holds its password. */
export interface SimDeviceInfo {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly routerOsVersion: string;
  readonly majorVersion: 6 | 7;
  readonly hostKeyFingerprint: string;
  /** Byte length of its full export with secrets (the header time has a fixed width). */
  readonly exportBytes: number;
}

/** Where the simulator runs: on the benchmark's own event loop, or on a worker thread (the other core). */
export type SimPlacement = "in-process" | "worker-thread";

/** A started fleet, driven the same way wherever it runs. */
export interface SimFleet {
  readonly placement: SimPlacement;
  readonly devices: readonly SimDeviceInfo[];
  resetStats(): Promise<void>;
  /** Session counters, in `devices` order. */
  stats(): Promise<DeviceStats[]>;
  /** CPU of the simulator's own thread so far (worker thread on Linux); null when it cannot be told apart. */
  cpuMs(): Promise<number | null>;
  stop(): Promise<void>;
}

/** Messages between the benchmark and the simulator thread. */
export type SimRequest = { readonly id: number; readonly op: "reset" | "stats" | "cpu" | "stop" };
export type SimMessage =
  | { readonly kind: "ready"; readonly devices: SimDeviceInfo[] }
  | { readonly kind: "failed"; readonly message: string }
  | { readonly kind: "reply"; readonly id: number; readonly result: unknown };

/** Each device's facts, its config rendered once (so its one-time generation is not charged to a phase). */
export function describeFleet(fleet: Fleet): SimDeviceInfo[] {
  return fleet.devices.map((sim) => ({
    name: sim.name,
    host: sim.host,
    port: sim.port,
    username: sim.username,
    password: sim.password,
    routerOsVersion: sim.routerOsVersion,
    majorVersion: sim.majorVersion,
    hostKeyFingerprint: sim.hostKeyFingerprint,
    exportBytes: Buffer.byteLength(sim.renderExport({ showSensitive: true })),
  }));
}

/** Starts one fleet with `startFleet`, on this thread or on a worker thread. */
export function startSimFleet(options: FleetOptions, placement: SimPlacement): Promise<SimFleet> {
  return placement === "in-process" ? startHere(options) : startOnThread(options);
}

async function startHere(options: FleetOptions): Promise<SimFleet> {
  const fleet = await startFleet(options);
  return {
    placement: "in-process",
    devices: describeFleet(fleet),
    async resetStats() {
      for (const device of fleet.devices) device.resetStats();
    },
    async stats() {
      return fleet.devices.map((d) => d.stats);
    },
    async cpuMs() {
      return null;
    },
    stop: () => fleet.stop(),
  };
}

/**
 * The worker runs TypeScript through tsx: Node 20 does not pass the parent's `--import tsx`
 * hooks to workers, so a tiny ESM entry registers tsx there first.
 */
function workerEntry(): URL {
  const code = [
    `import { register } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))};`,
    "register();",
    `await import(${JSON.stringify(new URL("./sim-worker.ts", import.meta.url).href)});`,
  ].join("\n");
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

async function startOnThread(options: FleetOptions): Promise<SimFleet> {
  const worker = new Worker(workerEntry(), { workerData: options });
  const pending = new Map<number, (result: unknown) => void>();
  let nextId = 0;
  const devices = await new Promise<SimDeviceInfo[]>((resolve, reject) => {
    worker.once("error", reject);
    worker.on("message", (message: SimMessage) => {
      if (message.kind === "ready") resolve(message.devices);
      else if (message.kind === "failed") reject(new Error(`simulator thread: ${message.message}`));
      else pending.get(message.id)?.(message.result);
    });
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
  const call = <T>(op: SimRequest["op"]): Promise<T> =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      pending.set(id, (result) => {
        pending.delete(id);
        resolve(result as T);
      });
      worker.postMessage({ id, op } satisfies SimRequest);
    });
  let stopping: Promise<void> | undefined;
  return {
    placement: "worker-thread",
    devices,
    resetStats: () => call<void>("reset"),
    stats: () => call<DeviceStats[]>("stats"),
    cpuMs: () => call<number | null>("cpu"),
    stop() {
      stopping ??= call<void>("stop").then(async () => void (await worker.terminate()));
      return stopping;
    },
  };
}
