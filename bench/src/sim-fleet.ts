import { fork } from "node:child_process";
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

/**
 * Where the simulator runs: on the benchmark's own event loop, on a worker thread (the other
 * core), or in a child process of its own (what the fleet benchmark uses: its CPU and memory are
 * then the simulator's alone, read from /proc by pid).
 */
export type SimPlacement = "in-process" | "worker-thread" | "child-process";

/** A started fleet, driven the same way wherever it runs. */
export interface SimFleet {
  readonly placement: SimPlacement;
  readonly devices: readonly SimDeviceInfo[];
  resetStats(): Promise<void>;
  /** Session counters, in `devices` order. */
  stats(): Promise<DeviceStats[]>;
  /** CPU of the simulator's own thread so far (worker thread on Linux); null when it cannot be told apart. */
  cpuMs(): Promise<number | null>;
  /**
   * Changes the config of the devices at these indices (one line added to the firewall address
   * list, so a stored version gets a diff with one structured change); returns their new export sizes.
   */
  changeConfigs(indices: readonly number[], tag: string): Promise<number[]>;
  /** Process id of the simulator when it runs in a process of its own. */
  readonly pid: number | null;
  stop(): Promise<void>;
}

/** Messages between the benchmark and the simulator thread or process. */
export type SimRequest =
  | { readonly id: number; readonly op: "reset" | "stats" | "cpu" | "stop" }
  | { readonly id: number; readonly op: "change"; readonly indices: readonly number[]; readonly tag: string };
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

/** The config change `changeConfigs` makes on device `index`: a new address-list entry. */
function changeOne(fleet: Fleet, index: number, tag: string): number {
  const device = fleet.devices[index]!;
  const octet = (n: number) => n % 250;
  device.changeConfig({
    op: "add",
    section: "/ip firewall address-list",
    line: `add address=198.51.${octet(index >> 8)}.${octet(index)} list=${tag}`,
  });
  return Buffer.byteLength(device.renderExport({ showSensitive: true }));
}

/** Answers one request of the benchmark on the fleet it drives (thread or process). */
export async function answerSimRequest(
  fleet: Fleet,
  request: SimRequest,
  cpuMs: () => number | null,
): Promise<unknown> {
  switch (request.op) {
    case "reset":
      for (const device of fleet.devices) device.resetStats();
      return null;
    case "stats":
      return fleet.devices.map((d) => d.stats);
    case "cpu":
      return cpuMs();
    case "change":
      return request.indices.map((i) => changeOne(fleet, i, request.tag));
    case "stop":
      await fleet.stop();
      return null;
  }
}

/** Starts one fleet with `startFleet`, on this thread, on a worker thread or in a child process. */
export function startSimFleet(options: FleetOptions, placement: SimPlacement): Promise<SimFleet> {
  if (placement === "in-process") return startHere(options);
  return placement === "worker-thread" ? startOnThread(options) : startInProcess(options);
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
    async changeConfigs(indices, tag) {
      return indices.map((i) => changeOne(fleet, i, tag));
    },
    pid: null,
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
  return driveRemote("worker-thread", null, {
    onMessage: (listener) => worker.on("message", listener),
    onError: (listener) => worker.once("error", listener),
    post: (request) => worker.postMessage(request),
    end: async () => void (await worker.terminate()),
  });
}

/**
 * The fleet in a child process of its own (`sim-process.ts` through tsx), talking over the IPC
 * channel; its options go in an environment variable. The child exits when the channel closes.
 */
async function startInProcess(options: FleetOptions): Promise<SimFleet> {
  // A child stuck before it is ready (seen once under heavy load: every thread waiting on a
  // futex, no key written) is killed and started again, once.
  try {
    return await startChildOnce(options);
  } catch (err) {
    if (!(err instanceof SimStartTimeout)) throw err;
    process.stderr.write(`${err.message}; starting it again\n`);
    return startChildOnce(options);
  }
}

class SimStartTimeout extends Error {}

async function startChildOnce(options: FleetOptions): Promise<SimFleet> {
  const child = fork(new URL("./sim-process.ts", import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, BENCH_SIM_OPTIONS: JSON.stringify(options) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Generous: 5,000 devices start in ~10 s on a busy 2-core box.
  const startMs = 60_000 + 20 * options.count;
  let startTimedOut = false;
  const timer = setTimeout(() => {
    startTimedOut = true;
    child.kill("SIGKILL");
  }, startMs);
  return driveRemote("child-process", child.pid ?? null, {
    onMessage: (listener) => child.on("message", listener),
    onError: (listener) => {
      child.once("error", listener);
      child.once("exit", (code) =>
        listener(
          startTimedOut
            ? new SimStartTimeout(`simulator process not ready within ${startMs / 1000} s`)
            : new Error(`simulator process exited (${code})`),
        ),
      );
    },
    post: (request) => child.send(request),
    end: async () => {
      if (child.connected) child.disconnect();
      await exited;
    },
  }).finally(() => clearTimeout(timer));
}

/** A thread or process running the fleet: how to talk to it. */
interface SimChannel {
  onMessage(listener: (message: SimMessage) => void): void;
  onError(listener: (err: Error) => void): void;
  post(request: SimRequest): void;
  end(): Promise<void>;
}

async function driveRemote(placement: SimPlacement, pid: number | null, channel: SimChannel): Promise<SimFleet> {
  const pending = new Map<number, (result: unknown) => void>();
  let nextId = 0;
  const devices = await new Promise<SimDeviceInfo[]>((resolve, reject) => {
    channel.onError(reject);
    channel.onMessage((message: SimMessage) => {
      if (message.kind === "ready") resolve(message.devices);
      else if (message.kind === "failed") reject(new Error(`simulator: ${message.message}`));
      else pending.get(message.id)?.(message.result);
    });
  }).catch(async (err: unknown) => {
    await channel.end();
    throw err;
  });
  type Body = { readonly op: "reset" | "stats" | "cpu" | "stop" } | Omit<Extract<SimRequest, { op: "change" }>, "id">;
  const call = <T>(request: Body): Promise<T> =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      pending.set(id, (result) => {
        pending.delete(id);
        resolve(result as T);
      });
      channel.post({ ...request, id });
    });
  let stopping: Promise<void> | undefined;
  return {
    placement,
    devices,
    pid,
    resetStats: () => call<void>({ op: "reset" }),
    stats: () => call<DeviceStats[]>({ op: "stats" }),
    cpuMs: () => call<number | null>({ op: "cpu" }),
    changeConfigs: (indices, tag) => call<number[]>({ op: "change", indices, tag }),
    stop() {
      stopping ??= call<void>({ op: "stop" }).then(() => channel.end());
      return stopping;
    },
  };
}
