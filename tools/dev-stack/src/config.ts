import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { env, parseConfig } from "@netledger/platform";
import { z } from "zod";

/** The repository root (this file lives in `tools/dev-stack/src/`). */
export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/**
 * Environment of the dev stack (`npm start`). Server URLs and the namespace mean what they mean
 * for the services; the rest shapes the demo.
 */
const schema = z.object({
  /** Reused when a server answers there; else a private one is started. */
  NATS_URL: env.natsUrl(),
  REDIS_URL: env.redisUrl(),
  /** Its database name (default `netledger`) is created and migrated, also on a private server. */
  DATABASE_URL: env.databaseUrl(),
  NETLEDGER_NAMESPACE: env.namespace(),
  /** Key ring for the services; default: generated once and kept in `<state dir>/seal-keys`. */
  NETLEDGER_SEAL_KEYS: z.preprocess(
    (v) => (typeof v === "string" && v.trim() ? v.trim() : undefined),
    z.string().optional(),
  ),
  /**
   * Stream sizes for the services. JetStream reserves a stream's whole max_bytes on disk, so the
   * dev stack asks for less than the production defaults (8 GiB and 1 GiB).
   */
  NETLEDGER_SNAPSHOTS_MAX_BYTES: env.byteSize(1024 ** 3),
  NETLEDGER_EVENTS_MAX_BYTES: env.byteSize(256 * 1024 ** 2),
  /** Log level of the services (their lines are printed compactly). */
  LOG_LEVEL: env.logLevel(),
  /** Start private NATS, Redis and PostgreSQL even when shared ones answer. */
  NETLEDGER_PRIVATE_SERVERS: env.bool(false),
  /** Seal keys, simulator host keys, inventory and known_hosts; relative to the repository root. */
  NETLEDGER_STATE_DIR: z.preprocess(
    (v) => (typeof v === "string" && v.trim() ? v : undefined),
    z.string().default(".netledger"),
  ),
  NETLEDGER_SIM_DEVICES: env.positiveInt(20),
  /** gateway, collector-1, ingestor, collector-2 listen on base, +1, +2, +3; 0 picks free ports. */
  NETLEDGER_OPS_PORT_BASE: env.port(9101),
  /** The gateway's REST API port (its GATEWAY_PORT); 0 picks a free port. */
  NETLEDGER_GATEWAY_PORT: env.port(8080),
  /** Backup interval of every device, given to the ingestor's scheduler (BACKUP_INTERVAL_MS). */
  BACKUP_EVERY_S: env.positiveInt(30),
  /** How long `--once` waits for the first round of backups. */
  BACKUP_TIMEOUT_MS: env.durationMs(90_000),
});

export type DevStackConfig = Readonly<z.infer<typeof schema>> & {
  /** NETLEDGER_STATE_DIR resolved against the repository root. */
  readonly stateDir: string;
};

/** Parses the dev stack's environment once; throws ConfigError naming every bad key (never a value). */
export function loadDevStackConfig(source: NodeJS.ProcessEnv = process.env): DevStackConfig {
  const parsed = parseConfig(schema, source);
  return Object.freeze({ ...parsed, stateDir: resolve(REPO_ROOT, parsed.NETLEDGER_STATE_DIR) });
}

/** The environment children start from (PATH, HOME, ...); each service's own keys are set over it. */
export function inheritedEnv(): NodeJS.ProcessEnv {
  return { ...process.env };
}

export interface DevStackArgs {
  /** The first round of scheduled backups, then stop; exit 0 when every healthy device succeeded. */
  readonly once: boolean;
  /** Revoke the dev admin token and print a new one. */
  readonly newToken: boolean;
  readonly help: boolean;
  /** Internal: this process is the stack itself, started by the supervisor. */
  readonly supervised: boolean;
}

export const USAGE = `Usage: npm start [-- --once] [-- --new-token]
  (no option)   start everything; the scheduler backs each device up every BACKUP_EVERY_S seconds; Ctrl-C stops
  --once        start, wait for the first round of scheduled backups, stop; exit 0 when every healthy device succeeded
  --new-token   revoke the dev admin API token and print a new one
  --help        this text
Environment: see README.md (NATS_URL, REDIS_URL, DATABASE_URL, NETLEDGER_*, BACKUP_*).`;

/** Parses the command line; throws TypeError on an unknown option. */
export function parseDevStackArgs(argv: readonly string[]): DevStackArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      once: { type: "boolean", default: false },
      "new-token": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
      supervised: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    once: values.once === true,
    newToken: values["new-token"] === true,
    help: values.help === true,
    supervised: values.supervised === true,
  };
}
