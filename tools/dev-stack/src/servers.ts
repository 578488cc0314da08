import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { redactUrlCredentials } from "@netledger/platform";
import {
  locateServer,
  type ServerHandle,
  type ServerKind,
  startNatsServer,
  startPostgres,
  startRedisServer,
  TestkitError,
} from "@netledger/testkit";
import { type DevStackConfig, REPO_ROOT } from "./config.js";
import { DevStackError } from "./errors.js";

/** Where each server is, and the private ones this process started (to stop them, and only them). */
export interface StackServers {
  readonly natsUrl: string;
  readonly redisUrl: string;
  /** Server URL; the stack's database name is set on it by the caller. */
  readonly postgresUrl: string;
  readonly started: readonly { readonly kind: ServerKind; readonly handle: ServerHandle }[];
}

interface KindSpec {
  readonly title: string;
  /** Debian package, for scripts/install-server.sh. */
  readonly aptPackage: string;
  readonly urls: (config: DevStackConfig) => readonly string[];
  readonly startPrivate: () => Promise<ServerHandle>;
}

const KINDS: Record<ServerKind, KindSpec> = {
  nats: {
    title: "NATS (JetStream)",
    aptPackage: "nats-server",
    urls: (c) => c.NATS_URL,
    startPrivate: () => startNatsServer({ jetstream: true }),
  },
  redis: { title: "Redis", aptPackage: "redis-server", urls: (c) => [c.REDIS_URL], startPrivate: startRedisServer },
  postgres: {
    title: "PostgreSQL",
    aptPackage: "postgresql",
    urls: (c) => [c.DATABASE_URL],
    startPrivate: startPostgres,
  },
};

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Reuses each server that answers at its configured URL (unless NETLEDGER_PRIVATE_SERVERS), else
 * starts a private one from the installed binary through the testkit; a missing binary is
 * installed by scripts/install-server.sh (root + apt-get) or reported with the install command.
 * `say` gets one line per server.
 */
export async function provideServers(config: DevStackConfig, say: (line: string) => void): Promise<StackServers> {
  const kinds: ServerKind[] = ["nats", "redis", "postgres"];
  const reused = await Promise.all(
    kinds.map((kind) => (config.NETLEDGER_PRIVATE_SERVERS ? undefined : findAnswering(kind, KINDS[kind].urls(config)))),
  );
  const urls: Partial<Record<ServerKind, string>> = {};
  const started: { kind: ServerKind; handle: ServerHandle }[] = [];
  try {
    for (const [index, kind] of kinds.entries()) {
      const found = reused[index];
      if (found) {
        urls[kind] = found;
        say(`${KINDS[kind].title}: reusing the server at ${redactUrlCredentials(found)}`);
        continue;
      }
      const handle = await startPrivate(kind);
      started.push({ kind, handle });
      urls[kind] = handle.url;
      say(`${KINDS[kind].title}: started a private server on 127.0.0.1:${handle.port} (stopped with the stack)`);
    }
  } catch (err) {
    await stopServers(started);
    throw err;
  }
  return { natsUrl: urls.nats!, redisUrl: urls.redis!, postgresUrl: urls.postgres!, started };
}

/** Stops the private servers, last started first. */
export async function stopServers(started: StackServers["started"]): Promise<void> {
  for (const { handle } of [...started].reverse()) await handle.stop();
}

async function findAnswering(kind: ServerKind, urls: readonly string[]): Promise<string | undefined> {
  try {
    return (await locateServer(kind, { urls, fallback: [] })).url;
  } catch {
    return undefined;
  }
}

async function startPrivate(kind: ServerKind): Promise<ServerHandle> {
  const spec = KINDS[kind];
  try {
    return await keepingOwnSignalHandling(spec.startPrivate);
  } catch (err) {
    if (!(err instanceof TestkitError && err.code === "TESTKIT_BINARY_MISSING")) throw err;
  }
  const install = spawnSync("bash", [join(REPO_ROOT, "scripts/install-server.sh"), spec.aptPackage], {
    stdio: "inherit",
  });
  if (install.status !== 0) {
    throw new DevStackError("DEV_STACK_SERVER_MISSING", `${spec.title} is not running and not installed (see above)`);
  }
  return keepingOwnSignalHandling(spec.startPrivate);
}

/**
 * The testkit exits the process on SIGINT/SIGTERM/SIGHUP (after SIGKILLing its servers), which
 * suits a test run. The dev stack stops its services first and the servers last, then exits 0:
 * so the signal listeners the testkit adds are removed again. Its exit hook stays as a last resort.
 */
async function keepingOwnSignalHandling<T>(work: () => Promise<T>): Promise<T> {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  try {
    return await work();
  } finally {
    for (const signal of SIGNALS) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)?.has(listener)) process.off(signal, listener);
      }
    }
  }
}
