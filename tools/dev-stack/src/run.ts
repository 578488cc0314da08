import { mkdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type { NatsConnection } from "@nats-io/nats-core";
import { createWire } from "@netledger/contracts";
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
import { type BackupResult, formatBackupResult, isSuccess, runBackupCycle } from "./backups.js";
import { type DevStackArgs, type DevStackConfig, inheritedEnv, REPO_ROOT } from "./config.js";
import { readDemoToken, writeDemoFile } from "./demo-file.js";
import { type DemoFleet, demoChange, startDemoFleet } from "./fleet.js";
import { formatLogLine, servicePrefix } from "./log.js";
import { printNextSteps, STAND_IN_NOTE } from "./report.js";
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
 * The dev stack: servers, database, seal keys, fleet, seed, services, then backup cycles until
 * SIGTERM/SIGINT/SIGHUP (or one cycle with `--once`). Everything it started is stopped in
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
    if (stack && !stop.signal.aborted) code = await backupLoop(config, args, stack, stop.signal);
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
  return { seed, fleet, nc };
}

async function stopServices(services: readonly RunningService[]): Promise<void> {
  const codes = await Promise.all(services.map((s) => s.stop(SERVICE_STOP_GRACE_MS)));
  const failed = services.flatMap((s, i) => (codes[i] === 0 ? [] : [`${s.spec.name} (exit ${codes[i]})`]));
  if (failed.length) throw new Error(`service(s) did not exit cleanly: ${failed.join(", ")}`);
}

/** Backup cycles every BACKUP_EVERY_S until stopped (one with `--once`); returns the exit code. */
async function backupLoop(
  config: DevStackConfig,
  args: DevStackArgs,
  stack: Stack,
  stopped: AbortSignal,
): Promise<number> {
  const wire = createWire(config.NETLEDGER_NAMESPACE);
  const nameWidth = Math.max(...stack.seed.devices.map((d) => d.name.length));
  const lastSha = new Map<string, string>();
  for (let cycle = 1; !stopped.aborted; cycle++) {
    const changed = cycle === 1 ? [] : changeConfigs(stack.fleet, cycle);
    say(
      `\n== backup cycle ${cycle} at ${new Date().toISOString().slice(11, 19)}Z: ${stack.seed.devices.length} devices` +
        `${changed.length ? `; config changed on ${changed.join(", ")} (expect new hashes)` : ""}   ${STAND_IN_NOTE}`,
    );
    const results = await runBackupCycle({
      nc: stack.nc,
      wire,
      tenantId: stack.seed.tenantId,
      devices: stack.seed.devices,
      concurrency: config.BACKUP_CONCURRENCY,
      timeoutMs: config.BACKUP_TIMEOUT_MS,
      onResult: () => {},
      stopping: () => stopped.aborted,
    });
    results.sort((a, b) => a.name.localeCompare(b.name));
    for (const result of results) say(`   ${formatBackupResult(result, nameWidth)}${changeMark(result, lastSha)}`);
    const healthy = results.filter((r) => r.name !== stack.fleet.failing.name);
    const ok = healthy.filter(isSuccess).length;
    say(
      `   ${results.filter(isSuccess).length}/${results.length} succeeded (${stack.fleet.failing.name} fails on purpose)`,
    );
    if (args.once) return ok === healthy.length && healthy.length === stack.seed.devices.length - 1 ? 0 : 1;
    await delay(config.BACKUP_EVERY_S * 1000, undefined, { signal: stopped }).catch(() => {});
  }
  return 0;
}

function changeConfigs(fleet: DemoFleet, cycle: number): string[] {
  const pool = fleet.changeable;
  if (pool.length === 0) return [];
  const picks = new Set([pool[cycle % pool.length]!, ...(cycle % 2 === 0 ? [pool[(cycle * 7) % pool.length]!] : [])]);
  for (const device of picks) device.changeConfig(demoChange(cycle));
  return [...picks].map((d) => d.name);
}

function changeMark(result: BackupResult, lastSha: Map<string, string>): string {
  if (result.kind !== "reply" || result.reply.kind !== "success") return "";
  const before = lastSha.get(result.name);
  lastSha.set(result.name, result.reply.sha256);
  return before !== undefined && before !== result.reply.sha256 ? "  <- new version" : "";
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
