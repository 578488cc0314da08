import { mkdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { createWire, type Wire } from "@netledger/contracts";
import { type Database, databaseNameOf, ensureDatabase, migrateToLatest, withDatabaseName } from "@netledger/db";
import {
  connectNats,
  createDatabase,
  createLogger,
  createSealer,
  type Logger,
  parseKeyRing,
} from "@netledger/platform";
import { freePort } from "@netledger/testkit";
import type { Kysely } from "kysely";
import { type BackupEvent, type BackupWatch, FirstRound, formatBackupEvent, watchBackups } from "./backups.js";
import { type DevStackArgs, type DevStackConfig, inheritedEnv, REPO_ROOT } from "./config.js";
import { readDemoToken, writeDemoFile } from "./demo-file.js";
import { type DemoFleet, demoChange, startDemoFleet } from "./fleet.js";
import { formatLogLine, servicePrefix } from "./log.js";
import { printNextSteps } from "./report.js";
import { loadOrCreateSealKeys } from "./seal-keys.js";
import { DEMO_TENANT, type SeedResult, seedDemo } from "./seed.js";
import { provideServers, stopServers } from "./servers.js";
import { type RunningService, type ServiceSpec, startService, waitUntilReady } from "./services.js";

const SERVICE_READY_TIMEOUT_MS = 120_000;
/** The collector's default shutdown grace (25 s) plus margin. */
const SERVICE_STOP_GRACE_MS = 35_000;
const SERVICES = [
  { name: "gateway", service: "gateway" },
  { name: "collector-1", service: "collector" },
  { name: "ingestor", service: "ingestor" },
  { name: "collector-2", service: "collector" },
] as const;

const say = (line = "") => process.stdout.write(`${line}\n`);
/** Service log lines are cut to the terminal's width (when there is one), so a cycle stays one screen. */
const sayServiceLine = (line: string) => {
  const width = process.stdout.isTTY ? process.stdout.columns : 0;
  say(width > 20 && line.length > width ? `${line.slice(0, width - 1)}…` : line);
};

interface CleanupStep {
  readonly name: string;
  readonly run: () => Promise<unknown>;
}

/**
 * The dev stack: servers, database, seal keys, fleet, seed, services, then shows the backups the
 * ingestor's scheduler drives until SIGTERM/SIGINT/SIGHUP (or the first round with `--once`). Everything it started is stopped in
 * reverse order; nothing it did not start is touched. Resolves with the exit code.
 */
export async function runStack(config: DevStackConfig, args: DevStackArgs): Promise<number> {
  const cleanup: CleanupStep[] = [];
  const services: RunningService[] = [];
  const stop = new AbortController();
  let shuttingDown = false;
  const onSignal = (signal: string) => {
    if (!stop.signal.aborted) {
      say(`\n== stopping (${signal}): backups, services, fleet, private servers`);
      stop.abort();
      return;
    }
    say("== second signal: killing what the dev stack started");
    for (const service of services) service.kill();
    process.exit(1); // the testkit's exit hook kills the private servers
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => onSignal(signal));
  process.on("disconnect", () => onSignal("supervisor gone"));
  // A closed terminal or pipe must not abort the clean-up with EPIPE.
  process.stdout.on("error", () => {});

  const logger = createLogger({ name: "dev-stack", level: "warn", destination: linePrinter("dev-stack") });
  let code = 1;
  try {
    const stack = await startAll(config, args, {
      cleanup,
      services,
      logger,
      stopped: () => stop.signal.aborted || shuttingDown,
    });
    if (stack && !stop.signal.aborted) code = await showBackups(config, args, stack, stop.signal);
    else if (stop.signal.aborted) code = 0;
  } catch (err) {
    say(`error: ${err instanceof Error ? err.message : String(err)}`);
    if (!(err instanceof Error && "code" in err)) logger.error({ err }, "dev stack failed");
  }
  shuttingDown = true;
  for (const step of cleanup.reverse()) {
    try {
      await step.run();
    } catch (err) {
      code = 1;
      say(`error while stopping ${step.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  say(`== dev stack stopped (exit ${code})`);
  return code;
}

interface Stack {
  readonly seed: SeedResult;
  readonly fleet: DemoFleet;
  readonly nc: NatsConnection;
  readonly db: Kysely<Database>;
  readonly wire: Wire;
  /** Backup events since before the services started, in arrival order. */
  readonly events: BackupEvents;
  /** An ingestor consumes snapshots, so every backup ends with an ingested event. */
  readonly expectIngest: boolean;
}

/** Events of {@link watchBackups}, queued until the stack shows them. */
interface BackupEvents {
  readonly queue: BackupEvent[];
  /** Resolves at the next event (or after `ms`). */
  next(ms: number): Promise<void>;
}

interface StartContext {
  readonly cleanup: CleanupStep[];
  readonly services: RunningService[];
  readonly logger: Logger;
  readonly stopped: () => boolean;
}

/** Starts everything; returns undefined when a stop was requested part-way (what started is in `cleanup`). */
async function startAll(config: DevStackConfig, args: DevStackArgs, ctx: StartContext): Promise<Stack | undefined> {
  const { cleanup, logger } = ctx;
  const namespace = config.NETLEDGER_NAMESPACE;
  say(`== NetLedger dev stack (namespace ${namespace}, state in ${rel(config, "")})`);
  await mkdir(config.stateDir, { recursive: true, mode: 0o700 });

  const servers = await provideServers(config, say);
  if (servers.started.length > 0) cleanup.push({ name: "private servers", run: () => stopServers(servers.started) });
  if (ctx.stopped()) return undefined;

  const databaseUrl = withDatabaseName(servers.postgresUrl, databaseNameOf(config.DATABASE_URL));
  const created = await ensureDatabase(databaseUrl);
  const db = createDatabase<Database>({ url: databaseUrl, max: 4, logger, applicationName: "netledger-dev-stack" });
  cleanup.push({ name: "database pool", run: () => db.destroy() });
  const applied = await migrateToLatest(db);
  say(
    `PostgreSQL: database ${databaseNameOf(databaseUrl)}${created ? " created" : ""}, ` +
      `${applied.length ? `${applied.length} migration(s) applied` : "schema up to date"}`,
  );

  const sealKeys = config.NETLEDGER_SEAL_KEYS
    ? { spec: config.NETLEDGER_SEAL_KEYS, created: false }
    : await loadOrCreateSealKeys(join(config.stateDir, "seal-keys"));
  say(
    `Seal keys: ${config.NETLEDGER_SEAL_KEYS ? "from NETLEDGER_SEAL_KEYS" : `${sealKeys.created ? "generated into" : "reused from"} ${rel(config, "seal-keys")}`}`,
  );
  const sealer = createSealer(parseKeyRing(sealKeys.spec));

  const fleet = await startDemoFleet({ count: config.NETLEDGER_SIM_DEVICES, stateDir: join(config.stateDir, "sim") });
  cleanup.push({ name: "simulated fleet", run: () => fleet.stop() });
  await fleet.writeFiles(join(config.stateDir, "inventory.csv"), join(config.stateDir, "known_hosts"));
  const fixtures = fleet.devices.filter((d) => d.name.startsWith("fix-")).length;
  say(
    `Fleet: ${fleet.devices.length} simulated RouterOS devices (${fleet.devices.length - fixtures} synthetic v6/v7, ` +
      `${fixtures} serving real exports${fleet.fixturesDir ? "" : ": fixtures folder not found, set NETLEDGER_FIXTURES_DIR"}); ` +
      `${fleet.failing.name} always fails its login (auth-fail)`,
  );

  const demoFile = join(config.stateDir, "demo.json");
  const seed = await seedDemo(db, sealer, fleet.devices, {
    newToken: args.newToken,
    knownToken: await readDemoToken(demoFile),
  });
  say(`Seeded: tenant ${DEMO_TENANT}, ${seed.devices.length} devices (credentials sealed), admin API token`);
  if (ctx.stopped()) return undefined;

  const nc = await connectNats({ servers: [servers.natsUrl], name: "dev-stack", logger });
  cleanup.push({ name: "NATS connection", run: () => nc.drain() });
  // Listening starts before the services do, so the first backups are not missed.
  const wire = createWire(namespace);
  const events = queueBackupEvents(nc, wire);
  cleanup.push({ name: "backup watch", run: async () => events.watch.stop() });

  const env = {
    ...inheritedEnv(),
    NATS_URL: servers.natsUrl,
    REDIS_URL: servers.redisUrl,
    REDIS_LOCK_URLS: servers.redisUrl,
    REDIS_KEY_PREFIX: `${namespace}:`,
    DATABASE_URL: databaseUrl,
    NETLEDGER_NAMESPACE: namespace,
    NETLEDGER_SNAPSHOTS_MAX_BYTES: String(config.NETLEDGER_SNAPSHOTS_MAX_BYTES),
    NETLEDGER_EVENTS_MAX_BYTES: String(config.NETLEDGER_EVENTS_MAX_BYTES),
    NETLEDGER_SEAL_KEYS: sealKeys.spec,
    LOG_LEVEL: config.LOG_LEVEL,
    // The ingestor's scheduler drives the backups, at a demo pace.
    BACKUP_INTERVAL_MS: `${config.BACKUP_EVERY_S}s`,
    SCHEDULER_TICK_MS: "1s",
  };
  const specs: ServiceSpec[] = [];
  const gatewayPort = config.NETLEDGER_GATEWAY_PORT === 0 ? await freePort() : config.NETLEDGER_GATEWAY_PORT;
  for (const [index, { name, service }] of SERVICES.entries()) {
    const opsPort = config.NETLEDGER_OPS_PORT_BASE === 0 ? await freePort() : config.NETLEDGER_OPS_PORT_BASE + index;
    const ports = { OPS_PORT: String(opsPort), ...(service === "gateway" && { GATEWAY_PORT: String(gatewayPort) }) };
    specs.push({ name, service, opsPort, env: { ...env, ...ports } });
  }
  say(`Starting ${specs.map((s) => s.name).join(", ")} ...`);
  for (const spec of specs) ctx.services.push(startService(spec, sayServiceLine));
  cleanup.push({ name: "services", run: () => stopServices(ctx.services) });
  await Promise.all(ctx.services.map((s) => waitUntilReady(s, SERVICE_READY_TIMEOUT_MS, ctx.stopped)));
  if (ctx.stopped()) return undefined;
  for (const service of ctx.services) {
    void service.exited.then((exitCode) => {
      if (!ctx.stopped()) say(`warning: ${service.spec.name} exited with code ${exitCode}; the rest keeps running`);
    });
  }

  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  await writeDemoFile(demoFile, { gatewayUrl, tenantId: seed.tenantId, token: seed.token });
  printNextSteps(say, {
    services: specs,
    inventory: rel(config, "inventory.csv"),
    knownHosts: rel(config, "known_hosts"),
    token: seed.tokenCreated ? seed.token : null,
    api: {
      gatewayUrl,
      tenantId: seed.tenantId,
      demoFile: rel(config, "demo.json"),
      device: seed.devices.find((d) => d.name !== fleet.failing.name) ?? seed.devices[0],
    },
    everyS: config.BACKUP_EVERY_S,
    namespace,
    database: databaseNameOf(databaseUrl),
    once: args.once,
  });
  const expectIngest = await consumerExists(
    nc,
    wire.streams.snapshots.name,
    wire.consumers.ingestorSnapshots.durable_name,
  );
  return { seed, fleet, nc, db, wire, events, expectIngest };
}

function queueBackupEvents(nc: NatsConnection, wire: Wire): BackupEvents & { watch: BackupWatch } {
  const queue: BackupEvent[] = [];
  let wake: () => void = () => {};
  const watch = watchBackups(nc, wire, (event) => {
    queue.push(event);
    wake();
  });
  return {
    queue,
    watch,
    next: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
  };
}

async function consumerExists(nc: NatsConnection, stream: string, durable: string): Promise<boolean> {
  try {
    await (await jetstreamManager(nc)).consumers.info(stream, durable);
    return true;
  } catch {
    return false;
  }
}

async function stopServices(services: readonly RunningService[]): Promise<void> {
  const codes = await Promise.all(services.map((s) => s.stop(SERVICE_STOP_GRACE_MS)));
  const failed = services.flatMap((s, i) => (codes[i] === 0 ? [] : [`${s.spec.name} (exit ${codes[i]})`]));
  if (failed.length) throw new Error(`service(s) did not exit cleanly: ${failed.join(", ")}`);
}

/**
 * Prints each backup as it happens (collected, failed, stored version and its structured changes)
 * and changes the config of one or two simulated devices every BACKUP_EVERY_S so new versions
 * appear. With `--once`, returns after the first round: 0 when every device but the one failing
 * on purpose was backed up (and stored, when an ingestor stores), 1 on BACKUP_TIMEOUT_MS.
 */
async function showBackups(
  config: DevStackConfig,
  args: DevStackArgs,
  stack: Stack,
  stopped: AbortSignal,
): Promise<number> {
  const names = new Map(stack.seed.devices.map((d) => [d.deviceId, d.name]));
  const nameOf = (id: string) => names.get(id) ?? id;
  const nameWidth = Math.max(...stack.seed.devices.map((d) => d.name.length));
  const round = new FirstRound(
    stack.seed.devices.map((d) => d.deviceId),
    stack.expectIngest,
  );
  say(
    `\n== backups as the scheduler runs them (every ${config.BACKUP_EVERY_S} s per device)` +
      `${stack.expectIngest ? "" : "; no ingestor stores snapshots yet, so only collected backups show"}`,
  );
  const deadline = Date.now() + config.BACKUP_TIMEOUT_MS;
  let nextChange = Date.now() + config.BACKUP_EVERY_S * 1000;
  for (let cycle = 1; !stopped.aborted; ) {
    for (let event = stack.events.queue.shift(); event; event = stack.events.queue.shift()) {
      round.record(event);
      for (const line of await formatBackupEvent(event, nameOf, nameWidth, stack.db)) say(`   ${line}`);
    }
    if (args.once && round.pending().length === 0) break;
    if (args.once && Date.now() > deadline) {
      say(`   no outcome within ${config.BACKUP_TIMEOUT_MS} ms for: ${round.pending().map(nameOf).join(", ")}`);
      return 1;
    }
    if (!args.once && Date.now() >= nextChange) {
      cycle++;
      const changed = changeConfigs(stack.fleet, cycle);
      if (changed.length) {
        say(
          `== ${new Date().toISOString().slice(11, 19)}Z config changed on ${changed.join(", ")} (their next backup stores a new version)`,
        );
      }
      nextChange = Date.now() + config.BACKUP_EVERY_S * 1000;
    }
    await stack.events.next(500);
  }
  if (!args.once) return 0;
  const ok = round.succeeded();
  const failingId = stack.seed.devices.find((d) => d.name === stack.fleet.failing.name)?.deviceId;
  say(`   ${ok.length}/${stack.seed.devices.length} backed up (${stack.fleet.failing.name} fails on purpose)`);
  const failed = round.failed();
  return ok.length === stack.seed.devices.length - 1 && failed.length === 1 && failed[0] === failingId ? 0 : 1;
}

function changeConfigs(fleet: DemoFleet, cycle: number): string[] {
  const pool = fleet.changeable;
  if (pool.length === 0) return [];
  const picks = new Set([pool[cycle % pool.length]!, ...(cycle % 2 === 0 ? [pool[(cycle * 7) % pool.length]!] : [])]);
  for (const device of picks) device.changeConfig(demoChange(cycle));
  return [...picks].map((d) => d.name);
}

/** A state file's path as the user can type it from the repository root. */
function rel(config: DevStackConfig, file: string): string {
  const path = join(config.stateDir, file);
  const fromRoot = relative(REPO_ROOT, path);
  return fromRoot.startsWith("..") ? path : fromRoot;
}

/** A pino destination printing the dev stack's own (rare) log lines the way service lines look. */
function linePrinter(name: string): { write(line: string): void } {
  const prefix = servicePrefix(name);
  return { write: (line) => say(formatLogLine(prefix, line.trimEnd())) };
}
