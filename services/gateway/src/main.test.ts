import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { createWorld, freePort, type World } from "@netledger/testkit";

/** The gateway as it runs in production: `node --import tsx src/main.ts`, configured by environment only. */
const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const CWD = fileURLToPath(new URL("..", import.meta.url));
const SAFETY_TIMEOUT_MS = 60_000;

function startGateway(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    cwd: CWD,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = once(child, "exit").then(([code, signal]) => ({ code: code as number | null, signal }));
  return { child, exited, output: () => output };
}

/** Polls `path` on the ops port until it answers `status`; fails if the process exits first. */
async function waitFor(port: number, path: string, status: number, exited: Promise<unknown>): Promise<Response> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + SAFETY_TIMEOUT_MS;
  for (;;) {
    assert.ok(!gone, `gateway exited while waiting for ${path}`);
    assert.ok(Date.now() < deadline, `${path} did not answer ${status}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      if (response.status === status) return response;
    } catch {
      // not listening yet
    }
    await delay(100);
  }
}

describe("gateway main", { timeout: 2 * SAFETY_TIMEOUT_MS }, () => {
  let world: World;
  before(async () => {
    world = await createWorld({ streams: false });
  });
  after(() => world?.close());

  test("starts, answers /healthz, /readyz and /metrics, and exits 0 on SIGTERM", async () => {
    const port = await freePort();
    const gateway = startGateway({ ...process.env, ...world.env(), OPS_PORT: String(port) });
    try {
      await waitFor(port, "/healthz", 200, gateway.exited);
      const ready = await waitFor(port, "/readyz", 200, gateway.exited);
      assert.deepEqual(await ready.json(), { nats: true, redis: true, postgres: true });
      const metrics = await (await waitFor(port, "/metrics", 200, gateway.exited)).text();
      assert.match(metrics, /^process_cpu_user_seconds_total\{service="gateway"\} /m);

      gateway.child.kill("SIGTERM");
      assert.deepEqual(await gateway.exited, { code: 0, signal: null }, gateway.output());
    } finally {
      gateway.child.kill("SIGKILL");
    }
  });

  test("refuses to start on an invalid setting, naming the key but not its value", async () => {
    const secret = "hunter2-not-for-logs";
    const gateway = startGateway({
      ...process.env,
      ...world.env(),
      OPS_PORT: "0",
      DATABASE_URL: `mysql://netops:${secret}@127.0.0.1/netledger`,
    });
    const { code } = await gateway.exited;
    assert.notEqual(code, 0);
    assert.match(gateway.output(), /DATABASE_URL: must be a PostgreSQL URL/);
    assert.ok(!gateway.output().includes(secret), "the value must not be printed");
  });
});
