import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** Tries before falling back to a port the OS picks. */
const ATTEMPTS = 50;
const LOWEST = 10_000;

/**
 * A TCP port that was free a moment ago on every address, so it suits servers that bind
 * 127.0.0.1 and services whose ops server binds all interfaces alike (a port free on 127.0.0.1
 * only may be held on another address, e.g. by a simulated fleet on 127.x.y.z).
 *
 * It is drawn at random **below the kernel's ephemeral range** (`ip_local_port_range`): a port
 * the OS hands out for a listener comes from that range, where every outgoing connection of
 * every test (SSH, NATS, PostgreSQL clients) also takes its local port, so between this call and
 * the server's bind one of them could take it (EADDRINUSE). Below the range only another
 * listener can, and the random draw makes two tests' picks colliding unlikely. Servers started
 * by the testkit also retry on a fresh port when their first start fails.
 */
export async function freePort(): Promise<number> {
  const ceiling = ephemeralRangeStart();
  if (ceiling > LOWEST) {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const port = LOWEST + Math.floor(Math.random() * (ceiling - LOWEST));
      if (await listensOn(port)) return port;
    }
  }
  return listensOn(0);
}

/** The first port of the kernel's ephemeral range (Linux), or 0 when it cannot be read. */
function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/);
    return Number(low) || 0;
  } catch {
    return 0;
  }
}

/** Binds `port` on every address and lets it go: the port (the OS's pick for 0), or 0 when taken. */
function listensOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (port !== 0 && (err.code === "EADDRINUSE" || err.code === "EACCES")) resolve(0);
      else reject(err);
    });
    server.listen(port, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port assigned"));
      });
    });
  });
}
