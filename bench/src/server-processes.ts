import { readdirSync, readFileSync } from "node:fs";
import { basename } from "node:path";

/**
 * The pid of the local server process `command` (`nats-server`, `redis-server`) serving `url`'s
 * port, found from `/proc/<pid>/cmdline` (its port as an argument, `-p 4222`, or in an address,
 * `127.0.0.1:6379`); null when the URL is not on this host, or no such process is found (not
 * Linux, another user's process hidden, a server in a container). Shared servers serve other
 * clients too: on a quiet box during a benchmark, that is only the benchmark.
 */
export function localServerPid(command: string, url: string): number | null {
  let port: string;
  try {
    const parsed = new URL(url);
    if (!["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname)) return null;
    port = parsed.port;
  } catch {
    return null;
  }
  if (port === "") return null;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    } catch {
      continue;
    }
    if (args.length === 0) continue;
    // redis-server rewrites its argv[0] to "redis-server 127.0.0.1:6379".
    const [first, ...rest] = args[0]!.split(" ");
    if (basename(first!) !== command) continue;
    const words = [...rest, ...args.slice(1)];
    if (words.some((word) => word === port || word.endsWith(`:${port}`))) return Number(pid);
  }
  return null;
}
