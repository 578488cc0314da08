import { readFile, rm, writeFile } from "node:fs/promises";
import { type Fleet, findFixturesDir, type SimDevice, startFleet } from "@netledger/device-sim";

/** The demo fleet: synthetic RouterOS v6/v7 devices plus some serving real exports (fixtures). */
export interface DemoFleet {
  readonly devices: readonly SimDevice[];
  /** Kept in `auth-fail` mode, to show a stable error code. */
  readonly failing: SimDevice;
  /** Devices whose config may be changed between cycles (synthetic ones, healthy). */
  readonly changeable: readonly SimDevice[];
  /** Where the real exports come from, or null when the fixtures folder is missing. */
  readonly fixturesDir: string | null;
  /** Writes the merged inventory CSV and known_hosts of every device. */
  writeFiles(inventoryPath: string, knownHostsPath: string): Promise<void>;
  stop(): Promise<void>;
}

/** Share of the fleet serving real exports, when the fixtures folder exists. */
const FIXTURE_SHARE = 0.3;

/**
 * Starts `count` devices on free ports of 127.0.0.1, host keys kept in `stateDir` so the
 * fingerprints (and known_hosts) survive restarts. Synthetic devices are `sim-NNN`, alternating
 * RouterOS 7.16.1 and 6.49.10; fixture devices are `fix-NNN`, one export file each.
 */
export async function startDemoFleet(options: { count: number; stateDir: string }): Promise<DemoFleet> {
  const fixturesDir = findFixturesDir();
  const fixtureCount =
    fixturesDir === null || options.count < 2 ? 0 : Math.max(1, Math.floor(options.count * FIXTURE_SHARE));
  const fleets: Fleet[] = [];
  try {
    fleets.push(
      await startFleet({
        count: options.count - fixtureCount,
        stateDir: options.stateDir,
        namePrefix: "sim",
        versions: ["7.16.1", "6.49.10"],
        config: { kind: "synthetic", bytes: 20_000, seed: 1 },
      }),
    );
    if (fixturesDir !== null && fixtureCount > 0) {
      fleets.push(
        await startFleet({
          count: fixtureCount,
          stateDir: options.stateDir,
          namePrefix: "fix",
          config: { kind: "fixtures", dir: fixturesDir },
        }),
      );
    }
  } catch (err) {
    await Promise.all(fleets.map((f) => f.stop()));
    throw err;
  }
  const [synthetic] = fleets;
  const failing = synthetic!.devices.at(-1)!;
  await failing.setFailure("auth-fail");
  return {
    devices: fleets.flatMap((f) => f.devices),
    failing,
    changeable: synthetic!.devices.filter((d) => d !== failing),
    fixturesDir,
    async writeFiles(inventoryPath, knownHostsPath) {
      await mergeInto(inventoryPath, fleets, (f, path) => f.writeInventory(path), true);
      await mergeInto(knownHostsPath, fleets, (f, path) => f.writeKnownHosts(path), false);
    },
    async stop() {
      await Promise.all(fleets.map((f) => f.stop()));
    },
  };
}

/** Each fleet writes its own file (device-sim owns the formats); they are joined into `path`. */
async function mergeInto(
  path: string,
  fleets: readonly Fleet[],
  write: (fleet: Fleet, path: string) => Promise<void>,
  hasHeader: boolean,
): Promise<void> {
  const parts: string[] = [];
  for (const [index, fleet] of fleets.entries()) {
    const part = `${path}.part${index}`;
    await write(fleet, part);
    const text = await readFile(part, "utf8");
    await rm(part);
    parts.push(hasHeader && index > 0 ? text.slice(text.indexOf("\n") + 1) : text);
  }
  await writeFile(path, parts.join(""), { mode: 0o600 });
}

/** A config change for cycle `cycle` (adds an address-list entry), so the next backup's hash differs. */
export function demoChange(cycle: number): Parameters<SimDevice["changeConfig"]>[0] {
  return {
    op: "add",
    section: "/ip firewall address-list",
    line: `add address=10.99.${Math.floor(cycle / 250) % 250}.${(cycle % 250) + 1} comment=dev-stack-cycle-${cycle} list=netledger-demo`,
  };
}
