import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { startNatsServer } from "@netledger/testkit";
import { localServerPid } from "./server-processes.js";

describe("localServerPid", () => {
  it("finds the nats-server serving a URL's port from /proc, and nothing for other hosts or ports", {
    skip: process.platform !== "linux" && "reads /proc",
  }, async () => {
    const server = await startNatsServer({ jetstream: false });
    try {
      const pid = localServerPid("nats-server", server.url);
      assert.ok(pid !== null, "found");
      assert.match(readFileSync(`/proc/${pid}/cmdline`, "utf8"), new RegExp(String(server.port)));
      assert.equal(localServerPid("redis-server", server.url), null, "another command");
      assert.equal(localServerPid("nats-server", "nats://192.0.2.1:4222"), null, "not this host");
      assert.equal(localServerPid("nats-server", "not a url"), null);
    } finally {
      await server.stop();
    }
  });
});
