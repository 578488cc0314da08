import { join } from "node:path";
import { findBinary } from "./binaries.js";
import { type ServerHandle, startChildServer } from "./child-server.js";
import { tempDirRemovedAtExit } from "./exit-cleanup.js";
import { freePort } from "./free-port.js";
import { probeRedis } from "./probes.js";

/**
 * A private redis-server on a free port. Append-only file on, so `stop()` + `start()` keeps
 * the keys (a `kill()` may lose the last second, as a real crash would).
 */
export async function startRedisServer(): Promise<ServerHandle> {
  const binary = findBinary("redis-server");
  const dir = tempDirRemovedAtExit("redis");
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  return startChildServer({
    label: "redis-server",
    url,
    port,
    command: binary,
    args: [
      ...["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--daemonize", "no"],
      ...["--save", "", "--appendonly", "yes", "--protected-mode", "no"],
    ],
    cwd: dir,
    logFile: join(dir, "redis-server.log"),
    stopSignal: "SIGTERM",
    probe: () => probeRedis(url),
  });
}

/** `count` independent Redis masters (no replication between them), as Redlock wants. */
export function startRedisMasters(count: number): Promise<ServerHandle[]> {
  return Promise.all(Array.from({ length: count }, () => startRedisServer()));
}
