/**
 * `npm start` (scripts/start.sh): the whole local system with a simulated fleet.
 *   node --import tsx tools/dev-stack/src/main.ts [--once] [--new-token] [--help]
 * Reuses or starts NATS (JetStream), Redis and PostgreSQL, migrates the database, starts a
 * simulated RouterOS fleet, seeds tenant `demo`, runs gateway, 2 collectors and ingestor, and
 * backs the fleet up every BACKUP_EVERY_S seconds. Ctrl-C stops everything it started.
 * See README.md for the environment variables.
 */
import { fileURLToPath } from "node:url";
import { ConfigError } from "@netledger/platform";
import { type DevStackArgs, loadDevStackConfig, parseDevStackArgs, USAGE } from "./config.js";
import { runStack } from "./run.js";
import { superviseStack } from "./supervisor.js";

const argv = process.argv.slice(2);
let args: DevStackArgs;
try {
  args = parseDevStackArgs(argv);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
let config: ReturnType<typeof loadDevStackConfig>;
try {
  config = loadDevStackConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`dev stack: ${err.message}\n`);
  process.exit(2);
}
const code = args.supervised
  ? await runStack(config, args)
  : await superviseStack(fileURLToPath(import.meta.url), argv);
// Exit now: a library's leftover timer or socket must not keep a stopped stack alive.
process.exit(code);
