import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLockClients, createRedis } from "./redis.js";
import { closedPort, memoryLogger, redisUrl, uniqueName } from "./test-helpers.js";

describe("redis clients", () => {
  it("createRedis gives a working ordinary client", async () => {
    const redis = createRedis(await redisUrl(), { logger: memoryLogger().logger, name: "platform-test" });
    const key = `${uniqueName()}:plain`;
    try {
      await redis.set(key, "v", "EX", 60);
      assert.equal(await redis.get(key), "v");
    } finally {
      await redis.del(key);
      await redis.quit();
    }
  });

  it("createLockClients resolves with a master down; the live one works, the dead one fails fast and keeps reconnecting", async () => {
    const { logger, lines } = memoryLogger();
    const deadUrl = `redis://default:pw-secret@127.0.0.1:${await closedPort()}`;
    const [live, dead] = await createLockClients([await redisUrl(), deadUrl], { logger, readyTimeoutMs: 300 });
    assert.ok(live && dead);
    const key = `${uniqueName()}:lock`;
    try {
      assert.equal(live.status, "ready");
      assert.equal(await live.set(key, "owner", "PX", 10_000, "NX"), "OK");
      assert.equal(await live.get(key), "owner");
      assert.equal(live.options.enableOfflineQueue, false);
      assert.equal(live.options.maxRetriesPerRequest, 1);

      assert.notEqual(dead.status, "ready");
      assert.notEqual(dead.status, "end", "must keep reconnecting");
      await assert.rejects(dead.get(key), /enableOfflineQueue|writeable|closed/i);
      assert.ok(
        lines().some((line) => line.msg === "Redis lock master not ready at start; continuing while it reconnects"),
      );
      assert.ok(!JSON.stringify(lines()).includes("pw-secret"));
    } finally {
      await live.del(key);
      live.disconnect();
      dead.disconnect();
    }
  });
});
