import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { onShutdown, type ShutdownStep } from "./shutdown.js";
import { memoryLogger } from "./test-helpers.js";

function recorder() {
  const order: string[] = [];
  const exits: number[] = [];
  const step = (name: string, run: () => Promise<void> = async () => undefined): ShutdownStep => ({
    name,
    run: async () => {
      order.push(name);
      await run();
    },
  });
  return { order, exits, exit: (code: number) => void exits.push(code), step };
}

describe("onShutdown", () => {
  it("runs steps in order once, removes its signal handlers and exits 0", async () => {
    const { order, exits, exit, step } = recorder();
    const { logger, lines } = memoryLogger();
    const before = process.listenerCount("SIGTERM");
    const shutdown = onShutdown({
      logger,
      exit,
      steps: [
        step("stop http", () => new Promise((resolve) => setImmediate(resolve))),
        step("drain nats"),
        step("close db"),
      ],
    });
    assert.equal(process.listenerCount("SIGTERM"), before + 1);
    assert.equal(process.listenerCount("SIGINT") > 0, true);
    await Promise.all([shutdown.trigger("test"), shutdown.trigger("again")]);
    assert.deepEqual(order, ["stop http", "drain nats", "close db"]);
    assert.deepEqual(exits, [0]);
    assert.equal(process.listenerCount("SIGTERM"), before);
    const done = lines().filter((line) => line.msg === "shutdown step done");
    assert.deepEqual(
      done.map((line) => line.step),
      order,
    );
  });

  it("continues after a failing or hanging step and exits 1", async () => {
    const { order, exits, exit, step } = recorder();
    const { logger, lines } = memoryLogger();
    await onShutdown({
      logger,
      exit,
      signals: [],
      timeoutMs: 50,
      steps: [
        step("fails", async () => {
          throw new Error("boom");
        }),
        step("hangs", () => new Promise(() => undefined)),
        step("last"),
      ],
    }).trigger("test");
    assert.deepEqual(order, ["fails", "hangs", "last"]);
    assert.deepEqual(exits, [1]);
    const failures = lines().filter((line) => line.msg === "shutdown step failed");
    assert.deepEqual(
      failures.map((line) => [line.step, (line.err as { code?: string }).code]),
      [
        ["fails", undefined],
        ["hangs", "SHUTDOWN_STEP_TIMEOUT"],
      ],
    );
  });
});
