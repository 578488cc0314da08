import { setTimeout as delay } from "node:timers/promises";
import { redactUrlCredentials } from "@netledger/platform";
import { aptInstallHint, findBinary } from "./binaries.js";
import type { ServerHandle } from "./child-server.js";
import { type Fallback, testkitConfig } from "./config.js";
import { startContainer } from "./containers.js";
import { TestkitError } from "./errors.js";
import { startNatsServer } from "./nats-server.js";
import { startPostgres } from "./postgres-server.js";
import { probeNats, probePostgres, probeRedis } from "./probes.js";
import { startRedisServer } from "./redis-server.js";

/**
 * Finding the NATS, Redis and PostgreSQL servers tests run against. In order:
 * 1. the configured URL (NATS_URL / REDIS_URL / DATABASE_URL, else the local default port);
 * 2. a testcontainers container, when a Docker engine answers and the package is installed;
 * 3. a private instance from the installed binary on a free port, stopped at process exit;
 * 4. else TESTKIT_SERVER_UNAVAILABLE, saying what was tried and what to install.
 * `NETLEDGER_TESTKIT_FALLBACK` (or the `fallback` option) limits steps 2 and 3.
 * With default options the answer is shared by the whole test process.
 */

export type ServerKind = "nats" | "redis" | "postgres";

export interface LocateOptions {
  /** Candidate URLs instead of the configured ones. */
  readonly urls?: readonly string[];
  /** Allowed fallbacks instead of NETLEDGER_TESTKIT_FALLBACK; `[]` allows none. */
  readonly fallback?: readonly Fallback[];
  /** Where the binary must be found, instead of PATH + /usr/lib/postgresql/<v>/bin (for tests of the message). */
  readonly searchDirs?: readonly string[];
}

export interface LocatedServer {
  readonly kind: ServerKind;
  readonly url: string;
  readonly source: "configured" | "container" | "private";
}

interface KindSpec {
  readonly title: string;
  readonly binary: string;
  readonly envVar: string;
  readonly configured: () => readonly string[];
  readonly probe: (url: string) => Promise<void>;
  readonly startPrivate: () => Promise<ServerHandle>;
}

const KINDS: Record<ServerKind, KindSpec> = {
  nats: {
    title: "NATS (JetStream)",
    binary: "nats-server",
    envVar: "NATS_URL",
    configured: () => testkitConfig().NATS_URL,
    probe: (url) => probeNats(url, { jetstream: true }),
    startPrivate: () => startNatsServer({ jetstream: true }),
  },
  redis: {
    title: "Redis",
    binary: "redis-server",
    envVar: "REDIS_URL",
    configured: () => [testkitConfig().REDIS_URL],
    probe: probeRedis,
    startPrivate: startRedisServer,
  },
  postgres: {
    title: "PostgreSQL",
    binary: "postgres",
    envVar: "DATABASE_URL",
    configured: () => [testkitConfig().DATABASE_URL],
    probe: probePostgres,
    startPrivate: startPostgres,
  },
};

const CONTAINER_READY_TIMEOUT_MS = 60_000;
const shared = new Map<ServerKind, Promise<LocatedServer>>();

/**
 * The server of `kind` to use, per the order above. With no options the result is cached for
 * the process (a private instance is started at most once). Rejects with
 * TestkitError `TESTKIT_SERVER_UNAVAILABLE` naming the URL tried, each fallback's reason and the
 * apt command for the binary.
 */
export function locateServer(kind: ServerKind, options?: LocateOptions): Promise<LocatedServer> {
  if (options) return locate(kind, options);
  let found = shared.get(kind);
  if (!found) {
    found = locate(kind, {});
    // A failure is not cached: a later test may run after the server came up.
    found.catch(() => shared.delete(kind));
    shared.set(kind, found);
  }
  return found;
}

async function locate(kind: ServerKind, options: LocateOptions): Promise<LocatedServer> {
  const spec = KINDS[kind];
  const urls = options.urls ?? spec.configured();
  const problems: string[] = [];
  for (const url of urls) {
    try {
      await spec.probe(url);
      return { kind, url, source: "configured" };
    } catch (err) {
      problems.push(`not reachable at ${redactUrlCredentials(url)} (${describe(err)})`);
    }
  }
  const fallbacks = options.fallback ?? testkitConfig().NETLEDGER_TESTKIT_FALLBACK;
  if (fallbacks.includes("containers")) {
    const started = await startContainer(kind);
    if ("url" in started) {
      await waitUntilAnswers(spec, started.url);
      return { kind, url: started.url, source: "container" };
    }
    problems.push(`containers: ${started.reason}`);
  } else {
    problems.push("containers: fallback not allowed");
  }
  if (fallbacks.includes("binaries")) {
    try {
      // Tests narrow the search to prove the "missing binary" message; starting uses the defaults.
      if (options.searchDirs) findBinary(spec.binary, options.searchDirs);
      const server = await spec.startPrivate();
      return { kind, url: server.url, source: "private" };
    } catch (err) {
      problems.push(`binaries: ${describe(err)}`);
    }
  } else {
    problems.push(`binaries: fallback not allowed (would need \`${spec.binary}\`; ${aptInstallHint(spec.binary)})`);
  }
  throw new TestkitError(
    "TESTKIT_SERVER_UNAVAILABLE",
    `${spec.title} unavailable:\n- ${problems.join("\n- ")}\n` +
      `Fix: start ${spec.title} and set ${spec.envVar}, or install \`${spec.binary}\` (${aptInstallHint(spec.binary)}) ` +
      "and allow the binaries fallback (NETLEDGER_TESTKIT_FALLBACK=auto, the default).",
  );
}

async function waitUntilAnswers(spec: KindSpec, url: string): Promise<void> {
  const deadline = Date.now() + CONTAINER_READY_TIMEOUT_MS;
  for (;;) {
    try {
      return await spec.probe(url);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await delay(250);
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof TestkitError) return err.message;
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return redactUrlCredentials(
      typeof code === "string" && !err.message.includes(code) ? `${code}: ${err.message}` : err.message,
    );
  }
  return String(err);
}
