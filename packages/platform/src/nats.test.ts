import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NatsUnavailableError } from "./errors.js";
import { connectNats, describeStatus } from "./nats.js";
import { closedPort, memoryLogger, natsUrl } from "./test-helpers.js";

describe("connectNats", () => {
  it("connects to the local server and logs without credentials", async () => {
    const { logger, lines } = memoryLogger();
    const nc = await connectNats({ servers: [await natsUrl()], name: "platform-test", logger });
    try {
      const reply = nc.subscribe(`_platform_test.${process.pid}`, { max: 1 });
      nc.publish(`_platform_test.${process.pid}`, "ping");
      for await (const msg of reply) assert.equal(msg.string(), "ping");
      assert.ok(lines().some((line) => line.msg === "connected to NATS"));
    } finally {
      await nc.close();
    }
  });

  it("fails with NATS_UNAVAILABLE after the bounded attempts against a closed port", async () => {
    const { logger, lines } = memoryLogger();
    const port = await closedPort();
    await assert.rejects(
      connectNats({
        servers: [`nats://svc:pw-secret@127.0.0.1:${port}`],
        name: "platform-test",
        logger,
        startAttempts: 2,
      }),
      (err: unknown) => err instanceof NatsUnavailableError && err.code === "NATS_UNAVAILABLE" && err.attempts === 2,
    );
    assert.equal(lines().filter((line) => line.msg === "NATS connection failed, retrying").length, 1);
    assert.ok(!JSON.stringify(lines()).includes("pw-secret"));
  });

  it("describes status events without credentials", () => {
    assert.deepEqual(describeStatus({ type: "disconnect", server: "nats://svc:pw-secret@nats-0:4222" }), {
      level: "warn",
      fields: { server: "nats://svc:[redacted]@nats-0:4222" },
      msg: "NATS disconnected",
    });
    assert.equal(describeStatus({ type: "close" }), null);
  });
});
