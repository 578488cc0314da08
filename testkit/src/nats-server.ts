import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { findNatsServer } from "./binaries.js";
import { logTail, type ServerHandle, startChildServer } from "./child-server.js";
import { TestkitError } from "./errors.js";
import { tempDirRemovedAtExit } from "./exit-cleanup.js";
import { freePort } from "./free-port.js";
import { probeNats } from "./probes.js";

/** Starts of a private server on fresh free ports before giving up (another listener may take the port first). */
const PORT_ATTEMPTS = 3;

/**
 * A private nats-server on a free port, JetStream on by default, its store in a temp dir so
 * `stop()` + `start()` keeps streams and messages. Its probe checks the server's name, so a
 * server whose port another listener took is never taken for ready; it is started again on
 * another port.
 */
export async function startNatsServer(options: { jetstream?: boolean } = {}): Promise<ServerHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNatsServerOnce(options.jetstream ?? true);
    } catch (err) {
      if (attempt >= PORT_ATTEMPTS || !(err instanceof TestkitError)) throw err;
    }
  }
}

async function startNatsServerOnce(jetstream: boolean): Promise<ServerHandle> {
  const binary = findNatsServer();
  const dir = tempDirRemovedAtExit("nats");
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  const serverName = `nl-${randomBytes(4).toString("hex")}`;
  return startChildServer({
    label: "nats-server",
    url,
    port,
    command: binary,
    args: [
      ...["-a", "127.0.0.1", "-p", String(port), "-n", serverName],
      ...(jetstream ? ["-js", "-sd", join(dir, "store")] : []),
    ],
    cwd: dir,
    logFile: join(dir, "nats-server.log"),
    stopSignal: "SIGTERM",
    probe: () => probeNats(url, { jetstream, serverName }),
  });
}

export interface NatsCluster {
  /** Client URLs of the nodes, in node order. */
  readonly urls: string[];
  readonly nodes: ServerHandle[];
  /** Name of the current JetStream meta leader (`n1`, `n2`, ...), asked of the first running node. */
  metaLeader(): Promise<string>;
  stop(): Promise<void>;
}

interface JszResponse {
  meta_cluster?: { leader?: string; replicas?: { name: string; current?: boolean; offline?: boolean }[] };
}

/**
 * How long one attempt waits for the cluster to be ready. On an idle box it takes about 1 s; on a
 * loaded 2-core box (other test files beside) it has taken over 30 s, and twice an attempt never
 * got there in 90 s: such an attempt is abandoned and the cluster started afresh on new ports.
 */
const READY_TIMEOUT_MS = 40_000;
const ATTEMPTS = 3;

/**
 * A private JetStream cluster of `size` (default 3) nats-servers on free ports, routes between
 * all of them. Resolves once the cluster has elected a meta leader that sees every other node
 * current, so streams with `num_replicas: 3` can be created right away. Node names are
 * `n1`...`n<size>`. A cluster not ready within 40 s is stopped and started again on fresh ports
 * and stores (3 attempts); the error after the last says what each node's log ended with.
 */
export async function startNatsCluster(options: { size?: number } = {}): Promise<NatsCluster> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const started = await startClusterOnce(options.size ?? 3);
    if ("cluster" in started) return started.cluster;
    failures.push(`attempt ${attempt}: ${started.failure}`);
  }
  throw new TestkitError(
    "TESTKIT_SERVER_START_FAILED",
    `NATS cluster not ready (meta leader seeing every node current) in ${ATTEMPTS} attempts of ${READY_TIMEOUT_MS} ms:\n${failures.join("\n")}`,
  );
}

async function startClusterOnce(size: number): Promise<{ cluster: NatsCluster } | { failure: string }> {
  const binary = findNatsServer();
  const dir = tempDirRemovedAtExit("nats-cluster");
  const name = `nl-${randomBytes(3).toString("hex")}`;
  const ports = await Promise.all(
    Array.from({ length: size }, async () => ({
      client: await freePort(),
      route: await freePort(),
      monitor: await freePort(),
    })),
  );
  const routeUrl = (port: number) => `nats://127.0.0.1:${port}`;
  const logFiles = ports.map((_, index) => join(dir, `n${index + 1}`, "nats-server.log"));
  const nodes = await Promise.all(
    ports.map((port, index) => {
      const nodeName = `n${index + 1}`;
      const nodeDir = join(dir, nodeName);
      mkdirSync(nodeDir);
      const url = `nats://127.0.0.1:${port.client}`;
      const routes = ports.filter((p) => p !== port).map((p) => routeUrl(p.route));
      return startChildServer({
        label: `nats-server ${nodeName}`,
        url,
        port: port.client,
        command: binary,
        args: [
          ...["-a", "127.0.0.1", "-p", String(port.client), "-m", String(port.monitor), "-n", nodeName],
          ...["--cluster_name", name, "--cluster", routeUrl(port.route), "--routes", routes.join(",")],
          ...["-js", "-sd", join(nodeDir, "store")],
        ],
        cwd: nodeDir,
        logFile: logFiles[index]!,
        stopSignal: "SIGTERM",
        // A node answers clients before the cluster has a meta leader; the cluster waits for that below.
        probe: () => probeNats(url, { serverName: nodeName, cluster: name }),
      });
    }),
  );
  const metaLeader = async (): Promise<string> => {
    for (const port of ports) {
      try {
        const response = await fetch(`http://127.0.0.1:${port.monitor}/jsz`, { signal: AbortSignal.timeout(2_000) });
        const leader = ((await response.json()) as JszResponse).meta_cluster?.leader;
        if (leader) return leader;
      } catch {
        // node stopped: ask the next one
      }
    }
    return "";
  };
  const cluster: NatsCluster = {
    urls: nodes.map((n) => n.url),
    nodes,
    metaLeader,
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
  // Ready when the meta leader sees every other node current: before that, placing a replicated
  // stream can fail with "no suitable peers for placement" (seen with nats-server 2.10).
  let lastSeen = "no node answered /jsz";
  const ready = async (): Promise<boolean> => {
    const seen: string[] = [];
    for (const [index, port] of ports.entries()) {
      try {
        const response = await fetch(`http://127.0.0.1:${port.monitor}/jsz`, { signal: AbortSignal.timeout(2_000) });
        const meta = ((await response.json()) as JszResponse).meta_cluster;
        seen.push(`n${index + 1}: ${JSON.stringify(meta ?? null)}`);
        if (!meta?.leader) continue;
        const replicas = meta.replicas ?? [];
        if (replicas.length === nodes.length - 1 && replicas.every((r) => r.current && !r.offline)) return true;
      } catch (err) {
        seen.push(`n${index + 1}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    lastSeen = seen.join("; ");
    return false;
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await ready())) {
    if (Date.now() > deadline) {
      const tails = logFiles.map((file, index) => `--- n${index + 1} (${file}):\n${logTail(file)}`).join("\n");
      await cluster.stop();
      return { failure: `cluster ${name} on ports ${JSON.stringify(ports)}; /jsz: ${lastSeen}\n${tails}` };
    }
    await delay(100);
  }
  return { cluster };
}
