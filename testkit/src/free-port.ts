import { createServer } from "node:net";

/**
 * A TCP port that was free a moment ago on every address (the OS picked it for a wildcard
 * listener), so it suits servers that bind 127.0.0.1 and services whose ops server binds all
 * interfaces alike: a port free on 127.0.0.1 only may be held on another address (a simulated
 * fleet listening on 127.x.y.z), and a wildcard bind then fails with EADDRINUSE. Another process
 * can still take it before you bind it; servers started by the testkit retry on a fresh port
 * when that happens at first start.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port assigned"));
      });
    });
  });
}
