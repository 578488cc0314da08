import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { startNatsServer } from "@netledger/testkit";
import { publishUntilAcked } from "./jetstream-publish.js";

describe("publishUntilAcked", () => {
  it("a publish made while the server is down is stored once after it comes back, under its msg id", {
    timeout: 60_000,
  }, async () => {
    const server = await startNatsServer();
    const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "PUB", subjects: ["pub.>"], storage: "file" });
      const js = jetstream(nc);
      await server.kill();
      // Published while disconnected: nats-core drops it at the reconnect, so only a retry stores it.
      const pending = publishUntilAcked(nc, js, "pub.a", new TextEncoder().encode("one"), {
        msgID: "m-1",
        timeoutMs: 30_000,
      });
      await server.start();
      const { ack } = await pending;
      assert.equal(ack.stream, "PUB");
      const again = await publishUntilAcked(nc, js, "pub.a", new TextEncoder().encode("one"), {
        msgID: "m-1",
        timeoutMs: 5_000,
      });
      assert.equal(again.ack.duplicate, true);
      assert.equal((await jsm.streams.info("PUB")).state.messages, 1);
    } finally {
      await nc.close();
      await server.stop();
    }
  });

  it("gives up at its deadline, and a refusal by the server is final", { timeout: 60_000 }, async () => {
    const server = await startNatsServer();
    const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "FULL", subjects: ["full.>"], max_bytes: 16, discard: "new" });
      const js = jetstream(nc);
      await assert.rejects(
        publishUntilAcked(nc, js, "full.a", new Uint8Array(64), { msgID: "big", timeoutMs: 30_000 }),
        /maximum bytes/i,
      );
      await server.kill();
      await assert.rejects(publishUntilAcked(nc, js, "full.a", new Uint8Array(1), { msgID: "x", timeoutMs: 500 }));
    } finally {
      await nc.close();
      await server.stop();
    }
  });
});
