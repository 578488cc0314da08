import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { testkitConfig } from "./config.js";

/**
 * Optional testcontainers fallback. `testcontainers` is not a dependency of the testkit (it is
 * heavy, and on Node 20 it needs an undici override, see STACK-NOTES): it is imported
 * dynamically, only when a Docker engine answers, and its absence is reported with the command
 * that installs it. Started containers are removed by testcontainers' own reaper when the test
 * process exits.
 */

const run = promisify(execFile);
const DOCKER_SOCKET = "/var/run/docker.sock";
/** Tested with testcontainers 12.x. */
export const TESTCONTAINERS_INSTALL =
  "flock /tmp/npm.lock npm install -D testcontainers@12 -w @netledger/testkit " +
  '(on Node 20 also add an npm "overrides" entry pinning undici to 7.30.2)';

export type ContainerKind = "nats" | "redis" | "postgres";

const IMAGES: Record<ContainerKind, { image: string; port: number; command?: string[]; env?: Record<string, string> }> =
  {
    nats: { image: "nats:2.10-alpine", port: 4222, command: ["-js"] },
    redis: { image: "redis:7-alpine", port: 6379 },
    postgres: { image: "postgres:16-alpine", port: 5432, env: { POSTGRES_HOST_AUTH_METHOD: "trust" } },
  };

/** The subset of testcontainers' API used here. */
interface StartedContainer {
  getHost(): string;
  getMappedPort(port: number): number;
}
interface ContainerBuilder {
  withExposedPorts(...ports: number[]): ContainerBuilder;
  withCommand(command: string[]): ContainerBuilder;
  withEnvironment(env: Record<string, string>): ContainerBuilder;
  start(): Promise<StartedContainer>;
}
interface TestcontainersModule {
  GenericContainer: new (image: string) => ContainerBuilder;
}

export type Availability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

let engine: Promise<Availability> | undefined;

/** Whether a Docker engine answers (checked once per process). */
export function dockerEngine(): Promise<Availability> {
  engine ??= (async (): Promise<Availability> => {
    const { DOCKER_HOST } = testkitConfig();
    if (!DOCKER_HOST && !existsSync(DOCKER_SOCKET)) {
      return { ok: false, reason: `no Docker engine (DOCKER_HOST unset, no ${DOCKER_SOCKET})` };
    }
    try {
      await run("docker", ["info", "--format", "{{.ServerVersion}}"], { timeout: 5_000 });
      return { ok: true };
    } catch (err) {
      // Without the docker CLI, testcontainers may still reach the engine on its own.
      if ((err as { code?: string }).code === "ENOENT") return { ok: true };
      return { ok: false, reason: "a Docker socket exists but `docker info` failed (engine not running?)" };
    }
  })();
  return engine;
}

/** Loads testcontainers if installed. */
async function loadTestcontainers(): Promise<TestcontainersModule | undefined> {
  const specifier = "testcontainers"; // a variable, so TypeScript does not require the package
  try {
    return (await import(specifier)) as TestcontainersModule;
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_MODULE_NOT_FOUND") return undefined;
    throw err;
  }
}

/**
 * Starts a throw-away container for `kind` and returns its URL, or why it could not
 * (no engine, package missing, start failed).
 */
export async function startContainer(kind: ContainerKind): Promise<{ url: string } | { reason: string }> {
  const available = await dockerEngine();
  if (!available.ok) return { reason: available.reason };
  const testcontainers = await loadTestcontainers();
  if (!testcontainers)
    return { reason: `a Docker engine answers but testcontainers is not installed: ${TESTCONTAINERS_INSTALL}` };
  const spec = IMAGES[kind];
  try {
    let builder = new testcontainers.GenericContainer(spec.image).withExposedPorts(spec.port);
    if (spec.command) builder = builder.withCommand(spec.command);
    if (spec.env) builder = builder.withEnvironment(spec.env);
    const container = await builder.start();
    const address = `${container.getHost()}:${container.getMappedPort(spec.port)}`;
    const urls: Record<ContainerKind, string> = {
      nats: `nats://${address}`,
      redis: `redis://${address}`,
      postgres: `postgres://postgres@${address}/postgres`,
    };
    return { url: urls[kind] };
  } catch (err) {
    return { reason: `container ${spec.image} failed to start: ${err instanceof Error ? err.message : String(err)}` };
  }
}
