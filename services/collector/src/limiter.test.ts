import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLimiter } from "./limiter.js";

describe("limiter", () => {
  it("never lets more than `limit` tasks run and reports idle", async () => {
    const limiter = createLimiter(3);
    let running = 0;
    let peak = 0;
    const task = async () => {
      const release = await limiter.acquire();
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running -= 1;
      release();
      release(); // a second call is ignored
    };
    await Promise.all(Array.from({ length: 20 }, task));
    assert.equal(peak, 3);
    assert.equal(limiter.active, 0);
    await limiter.idle();
  });

  it("gives a freed slot to priority waiters first, each group in order", async () => {
    const limiter = createLimiter(1);
    const release = await limiter.acquire();
    const order: string[] = [];
    const wait = (name: string, priority: boolean) =>
      limiter.acquire({ priority }).then((r) => {
        order.push(name);
        r();
      });
    const all = Promise.all([
      wait("job-1", false),
      wait("trigger-1", true),
      wait("job-2", false),
      wait("trigger-2", true),
    ]);
    release();
    await all;
    assert.deepEqual(order, ["trigger-1", "trigger-2", "job-1", "job-2"]);
  });
});
