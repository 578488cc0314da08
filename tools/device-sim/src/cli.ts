/**
 * `npx tsx tools/device-sim/src/cli.ts --count 20 --base-port 22000 ...` (or `npm run sim -w
 * @netledger/device-sim -- ...`): starts a fleet, writes inventory and known_hosts, prints one
 * line per device and a `ready` line, stops on SIGINT/SIGTERM or at the time limit.
 * Passwords go only to the inventory file, never to the console.
 */
import { CliUsageError, parseCli, USAGE } from "./cli-args.js";
import { startFleet } from "./fleet.js";

async function main(): Promise<number> {
  let config: ReturnType<typeof parseCli>;
  try {
    config = parseCli(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof CliUsageError)) throw err;
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    return 2;
  }
  if (config === null) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const fleet = await startFleet(config.fleet);
  for (const { device, mode } of config.failures) await fleet.device(device).setFailure(mode);
  if (config.inventoryPath !== null) await fleet.writeInventory(config.inventoryPath);
  if (config.knownHostsPath !== null) await fleet.writeKnownHosts(config.knownHostsPath);
  for (const d of fleet.devices) {
    process.stdout.write(
      `${d.name} ${d.host}:${d.port} user=${d.username} routeros=${d.routerOsVersion} model=${d.model} ` +
        `hostkey=${d.hostKeyFingerprint}${d.failure === null ? "" : ` failure=${d.failure}`}\n`,
    );
  }
  process.stdout.write(
    `ready: ${fleet.devices.length} devices` +
      `${config.inventoryPath === null ? "" : ` inventory=${config.inventoryPath}`}` +
      `${config.knownHostsPath === null ? "" : ` known_hosts=${config.knownHostsPath}`}\n`,
  );
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stdout.write(`stopping (${signal})\n`);
    void fleet.stop();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  await fleet.stopped;
  process.stdout.write("stopped\n");
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`device-sim: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
