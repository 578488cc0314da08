import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createWorld, freePort, startServiceProcess, type World } from "@netledger/testkit";

/** The gateway as it runs in production: `node --import tsx src/main.ts`, configured by environment only. */
const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const SAFETY_TIMEOUT_MS = 60_000;

describe("gateway main", { timeout: 2 * SAFETY_TIMEOUT_MS }, () => {
  let world: World;
  before(async () => {
    world = await createWorld({ streams: false });
  });
  after(() => world?.close());

  test("starts, answers /healthz, /readyz and /metrics, and exits 0 on SIGTERM", async () => {
    const port = await freePort();
    const apiPort = await freePort();
    const gateway = startServiceProcess(MAIN, {
      ...process.env,
      ...world.env(),
      OPS_PORT: String(port),
      GATEWAY_PORT: String(apiPort),
    });
    try {
      await gateway.waitForHttp(apiPort, "/healthz", 200);
      const openapi = (await (await gateway.waitForHttp(apiPort, "/openapi.json", 200)).json()) as { openapi: string };
      assert.equal(openapi.openapi, "3.1.0");
      const unauthenticated = await fetch(`http://127.0.0.1:${apiPort}/api/tenants`);
      assert.equal(unauthenticated.status, 401);
      await gateway.waitForHttp(port, "/healthz", 200);
      const ready = await gateway.waitForHttp(port, "/readyz", 200);
      assert.deepEqual(await ready.json(), { nats: true, redis: true, postgres: true });
      const metrics = await (await gateway.waitForHttp(port, "/metrics", 200)).text();
      assert.match(metrics, /^process_cpu_user_seconds_total\{service="gateway"\} /m);

      gateway.child.kill("SIGTERM");
      assert.deepEqual(await gateway.exited, { code: 0, signal: null }, gateway.output());
    } finally {
      gateway.child.kill("SIGKILL");
    }
  });

  test("refuses to start on an invalid setting, naming the key but not its value", async () => {
    const secret = "hunter2-not-for-logs";
    const gateway = startServiceProcess(MAIN, {
      ...process.env,
      ...world.env(),
      OPS_PORT: "0",
      GATEWAY_PORT: "0",
      DATABASE_URL: `mysql://netops:${secret}@127.0.0.1/netledger`,
    });
    const { code } = await gateway.exited;
    assert.notEqual(code, 0);
    assert.match(gateway.output(), /DATABASE_URL: must be a PostgreSQL URL/);
    assert.ok(!gateway.output().includes(secret), "the value must not be printed");
  });
});
