import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { createWorld, freePort, type World } from "@netledger/testkit";

/** The ingestor as it runs in production: `node --import tsx src/main.ts`, configured by environment only. */
const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const CWD = fileURLToPath(new URL("..", import.meta.url));
const SAFETY_TIMEOUT_MS = 60_000;

function startIngestor(env: NodeJS.ProcessEnv) {
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
    assert.ok(!gone, `ingestor exited while waiting for ${path}`);
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

describe("ingestor main", { timeout: 2 * SAFETY_TIMEOUT_MS }, () => {
  let world: World;
  before(async () => {
    world = await createWorld({ streams: false });
  });
  after(() => world?.close());

  test("starts, answers /healthz, /readyz and /metrics, and exits 0 on SIGTERM", async () => {
    const port = await freePort();
    const ingestor = startIngestor({ ...process.env, ...world.env(), OPS_PORT: String(port) });
    try {
      await waitFor(port, "/healthz", 200, ingestor.exited);
      const ready = await waitFor(port, "/readyz", 200, ingestor.exited);
      assert.deepEqual(await ready.json(), { nats: true, postgres: true });
      const metrics = await (await waitFor(port, "/metrics", 200, ingestor.exited)).text();
      assert.match(metrics, /^process_cpu_user_seconds_total\{service="ingestor"\} /m);

      ingestor.child.kill("SIGTERM");
      assert.deepEqual(await ingestor.exited, { code: 0, signal: null }, ingestor.output());
    } finally {
      ingestor.child.kill("SIGKILL");
    }
  });

  test("refuses to start without NETLEDGER_SEAL_KEYS, naming the key", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...world.env(), OPS_PORT: "0" };
    delete env.NETLEDGER_SEAL_KEYS;
    const ingestor = startIngestor(env);
    const { code } = await ingestor.exited;
    assert.notEqual(code, 0);
    assert.match(ingestor.output(), /NETLEDGER_SEAL_KEYS: is required/);
  });

  test("refuses a malformed key ring without printing the key material", async () => {
    const material = Buffer.from("sixteen-byte-key").toString("base64");
    const ingestor = startIngestor({
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
