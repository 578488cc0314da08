import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { freePort } from "./free-port.js";

describe("freePort", () => {
  it("gives ports free on every address, below the kernel's ephemeral range", async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    let low = 0;
    try {
      low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    } catch {
      // not Linux: any port the OS picked
    }
    for (const port of ports) {
      assert.ok(port > 0 && port < 65_536, String(port));
      if (low > 10_000) assert.ok(port < low, `${port} is below ${low}, where outgoing connections take theirs`);
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, resolve); // every address, as the services' ops servers bind
      });
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
