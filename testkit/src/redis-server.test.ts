import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Redis } from "ioredis";
import { type ServerHandle, startRedisMasters } from "./index.js";

describe("startRedisMasters", () => {
  let masters: ServerHandle[] = [];
  const clients: Redis[] = [];
  after(async () => {
    for (const client of clients) client.disconnect();
    await Promise.all(masters.map((m) => m.stop()));
  });

  it("starts independent masters that keep their keys across stop and start", async () => {
    masters = await startRedisMasters(3);
    assert.equal(new Set(masters.map((m) => m.port)).size, 3);
    clients.push(...masters.map((m) => new Redis(m.url, { maxRetriesPerRequest: 1 })));
    const [first, second, third] = clients as [Redis, Redis, Redis];
    await first.set("lock", "one");
    assert.equal(await second.get("lock"), null);
    assert.equal(await third.get("lock"), null);

    await masters[0]!.stop();
    assert.equal(await second.ping(), "PONG");
    await masters[0]!.start();
    assert.equal(await first.get("lock"), "one");

    await masters[1]!.kill();
    await masters[1]!.start();
    assert.equal(await second.ping(), "PONG");
  });
});
