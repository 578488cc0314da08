import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createWorld, freePort, startServiceProcess, type World } from "@netledger/testkit";

/** The ingestor as it runs in production: `node --import tsx src/main.ts`, configured by environment only. */
const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const SAFETY_TIMEOUT_MS = 60_000;

describe("ingestor main", { timeout: 2 * SAFETY_TIMEOUT_MS }, () => {
  let world: World;
  before(async () => {
    world = await createWorld({ streams: false });
  });
  after(() => world?.close());

  test("starts, answers /healthz, /readyz and /metrics, and exits 0 on SIGTERM", async () => {
    const port = await freePort();
    const ingestor = startServiceProcess(MAIN, { ...process.env, ...world.env(), OPS_PORT: String(port) });
    try {
      await ingestor.waitForHttp(port, "/healthz", 200);
      const ready = await ingestor.waitForHttp(port, "/readyz", 200);
      assert.deepEqual(await ready.json(), { nats: true, postgres: true });
      const metrics = await (await ingestor.waitForHttp(port, "/metrics", 200)).text();
      assert.match(metrics, /^process_cpu_user_seconds_total\{service="ingestor"\} /m);
      assert.match(metrics, /^netledger_scheduler_leader\{service="ingestor"\} [01]$/m);

      ingestor.child.kill("SIGTERM");
      assert.deepEqual(await ingestor.exited, { code: 0, signal: null }, ingestor.output());
    } finally {
      ingestor.child.kill("SIGKILL");
    }
  });

  test("refuses to start without NETLEDGER_SEAL_KEYS, naming the key", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...world.env(), OPS_PORT: "0" };
    delete env.NETLEDGER_SEAL_KEYS;
    const ingestor = startServiceProcess(MAIN, env);
    const { code } = await ingestor.exited;
    assert.notEqual(code, 0);
    assert.match(ingestor.output(), /NETLEDGER_SEAL_KEYS: is required/);
  });

  test("refuses a malformed key ring without printing the key material", async () => {
    const material = Buffer.from("sixteen-byte-key").toString("base64");
    const ingestor = startServiceProcess(MAIN, {
      ...process.env,
      ...world.env(),
      OPS_PORT: "0",
      NETLEDGER_SEAL_KEYS: `k1:${material}`,
    });
    const { code } = await ingestor.exited;
    assert.notEqual(code, 0);
    assert.match(ingestor.output(), /NETLEDGER_SEAL_KEYS: key "k1" must be 32 bytes/);
    assert.ok(!ingestor.output().includes(material), "the key material must not be printed");
  });
});
