import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import ssh2 from "ssh2";
import { FixtureConfig } from "./config/fixture-config.js";
import { loadFixtures } from "./config/fixtures.js";
import type { DeviceConfig } from "./config/model.js";
import { deviceSeed } from "./config/random.js";
import { syntheticProfile } from "./config/synthetic.js";
import { SyntheticConfig } from "./config/synthetic-config.js";
import { Device, type DeviceSpec } from "./device.js";
import { InvalidOptionsError, UnknownDeviceError } from "./errors.js";
import { HostKeyStore } from "./host-key-store.js";
import { inventoryCsv, knownHostsText } from "./inventory.js";
import type { Fleet, FleetOptions, SimDevice } from "./types.js";

const DEFAULT_VERSIONS = ["7.16.1", "6.49.10"];
const DEFAULT_SYNTHETIC_BYTES = 20_000;

function validate(options: FleetOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(options.count) || options.count < 1) problems.push("count must be a positive integer");
  const base = options.basePort ?? 0;
  if (!Number.isInteger(base) || base < 0 || (base > 0 && base + options.count - 1 > 65535)) {
    problems.push("basePort + count must fit in 1..65535");
  }
  if (options.versions !== undefined && !options.versions.every((v) => /^[67]\.\d+/.test(v))) {
    problems.push("versions must be non-empty RouterOS 6.x or 7.x versions");
  }
  if (options.versions?.length === 0) problems.push("versions must not be empty");
  for (const [key, value] of Object.entries(options)) {
    if (/Ms$|Bytes$/.test(key) && value !== undefined && (typeof value !== "number" || value < 0)) {
      problems.push(`${key} must be a non-negative number`);
    }
  }
  if (problems.length > 0) throw new InvalidOptionsError(problems.join("; "));
}

function parseAuthorizedKeys(lines: readonly string[]): ssh2.ParsedKey[] {
  return lines.map((line, i) => {
    const key = ssh2.utils.parseKey(line.trim());
    if (key instanceof Error) throw new InvalidOptionsError(`authorizedKeys[${i}] is not an OpenSSH public key`);
    return key;
  });
}

async function deviceConfigs(options: FleetOptions, names: readonly string[]): Promise<DeviceConfig[]> {
  const source = options.config ?? { kind: "synthetic" };
  if (source.kind === "fixtures") {
    const files = await loadFixtures(source.dir, names.length);
    return names.map((_, i) => new FixtureConfig(files[i % files.length]!));
  }
  const versions = options.versions ?? DEFAULT_VERSIONS;
  return names.map((name, i) => {
    const seed = deviceSeed(source.seed ?? 1, i);
    const version = versions[i % versions.length]!;
    const major = version.startsWith("6.") ? 6 : 7;
    const bytes = source.bytes ?? DEFAULT_SYNTHETIC_BYTES;
    return new SyntheticConfig(version, syntheticProfile(seed), { seed, major, identity: name, bytes });
  });
}

/**
 * Starts `count` simulated RouterOS devices, each an SSH server on its own port.
 *
 * @example
 * const fleet = await startFleet({ count: 3, latencyMs: 50 });
 * const dev = fleet.devices[0]!;  // ssh admin@127.0.0.1 -p dev.port, password dev.password
 * await dev.setFailure("truncate");
 * await fleet.stop();
 */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  validate(options);
  const prefix = options.namePrefix ?? "sim";
  const width = Math.max(3, String(options.count).length);
  const names = Array.from({ length: options.count }, (_, i) => `${prefix}-${String(i + 1).padStart(width, "0")}`);
  const configs = await deviceConfigs(options, names);
  const authorizedKeys = parseAuthorizedKeys(options.authorizedKeys ?? []);
  const ownStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), "device-sim-")));
  const keys = new HostKeyStore(stateDir);
  const host = options.host ?? "127.0.0.1";
  const specs: DeviceSpec[] = names.map((name, i) => ({
    name,
    host,
    port: (options.basePort ?? 0) > 0 ? options.basePort! + i : 0,
    username: options.username ?? "admin",
    password: options.password ?? `pw-${name}`,
    config: configs[i]!,
    authorizedKeys,
    latencyMs: options.latencyMs ?? 0,
    jitterMs: options.jitterMs ?? 0,
    oversizeBytes: options.oversizeBytes ?? 64 * 1024 * 1024,
    errorExitCode: options.errorExitCode ?? 0,
    tuning: {
      slowChunkBytes: Math.max(1, options.slowChunkBytes ?? 1024),
      slowIntervalMs: options.slowIntervalMs ?? 50,
      garbageSeed: deviceSeed(0x6a7b, i),
    },
  }));

  const started = await Promise.allSettled(specs.map((spec) => Device.start(spec, keys)));
  const devices = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  let stopping: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let markStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    markStopped = resolve;
  });
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clearTimeout(timer);
      await Promise.all(devices.map((d) => d.stop()));
      if (ownStateDir) await rm(stateDir, { recursive: true, force: true });
      markStopped();
    })();
    return stopping;
  };
  if (failed !== undefined) {
    await stop();
    throw failed.reason;
  }
  if (options.timeLimitMs !== undefined) timer = setTimeout(() => void stop(), options.timeLimitMs);

  const byName = new Map<string, SimDevice>(devices.map((d) => [d.name, d]));
  const write = async (path: string, text: string): Promise<void> => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  };
  return {
    devices,
    device(name: string): SimDevice {
      const device = byName.get(name);
      if (device === undefined) throw new UnknownDeviceError(name);
      return device;
    },
    writeInventory: (path) => write(path, inventoryCsv(devices)),
    writeKnownHosts: (path) => write(path, knownHostsText(devices)),
    stop,
    stopped,
  };
}
