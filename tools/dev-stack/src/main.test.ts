import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { hashApiToken } from "@netledger/gateway";
import { createWorld, deleteKeysWithPrefix, type World } from "@netledger/testkit";

/**
 * `npm start -- --once` end to end, in a world of its own on the shared servers: its own wire
 * namespace, database, Redis key prefix and state dir, all removed afterwards.
 */
const ENTRY = fileURLToPath(new URL("./main.ts", import.meta.url));
// Two full stack starts: generous, since a loaded shared machine can take a minute per start.
const SAFETY_TIMEOUT_MS = 300_000;

async function runOnce(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, "--once"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const [code] = await once(child, "exit");
  return { code: code as number | null, output };
}

function closed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe("dev stack --once", { timeout: SAFETY_TIMEOUT_MS }, () => {
  let world: World;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    world = await createWorld({ streams: false });
    stateDir = await mkdtemp(join(tmpdir(), "netledger-dev-stack-"));
    env = {
      ...process.env,
      ...world.env(), // servers, namespace, small stream sizes
      NETLEDGER_STATE_DIR: stateDir,
      NETLEDGER_OPS_PORT_BASE: "0",
      NETLEDGER_GATEWAY_PORT: "0",
      NETLEDGER_SIM_DEVICES: "6",
      NETLEDGER_PRIVATE_SERVERS: "false",
    };
    delete env.NETLEDGER_SEAL_KEYS;
  });
  after(async () => {
    await deleteKeysWithPrefix(world.redis, `${world.namespace}:`).catch(() => {});
    await world?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  test("backs up every healthy device, then a restart reuses keys, token and devices", async () => {
    const first = await runOnce(env);
    assert.equal(first.code, 0, first.output);
    // 6 devices, one of them kept in auth-fail by the stack (which one is the stack's choice).
    assert.equal(first.output.match(/^ {3}\S+ +success +sha256 [0-9a-f]{12}/gm)?.length, 5, first.output);
    const failing = /(\S+) always fails its login \(auth-fail\)/.exec(first.output)?.[1];
    assert.ok(failing, "the stack names its failing device");
    assert.match(first.output, new RegExp(`^ {3}${failing} +failed +SSH_AUTH_FAILED`, "m"));
    const token = /shown once, only its sha256 is stored\): (nl_[A-Za-z0-9_-]{43})$/m.exec(first.output)?.[1];
    assert.ok(token, "the admin token is printed on first start");
    const stored = await world.db
      .selectFrom("api_tokens")
      .select(["token_hash", "role"])
      .where("revoked_at", "is", null)
      .execute();
    assert.deepEqual(stored, [{ token_hash: hashApiToken(token), role: "admin" }]);
    const demo = JSON.parse(await readFile(join(stateDir, "demo.json"), "utf8"));
    assert.deepEqual(Object.keys(demo).sort(), ["gatewayUrl", "tenantId", "token"]);
    assert.equal(demo.token, token);
    assert.match(
      first.output,
      /curl -X POST -H "\$AUTH" http:\/\/127\.0\.0\.1:\d+\/api\/tenants\/[0-9a-f-]{36}\/devices\/[0-9a-f-]{36}\/config-snapshot\/trigger/,
    );
    const devices = await world.db
      .selectFrom("devices")
      .select(["id", "name", "credentials_sealed"])
      .orderBy("name")
      .execute();
    assert.equal(devices.length, 6);
    const inventory = await readFile(join(stateDir, "inventory.csv"), "utf8");
    assert.equal(inventory.trim().split("\n").length, 7, "header and one row per device");
    for (const device of devices)
      assert.ok(!device.credentials_sealed.includes(`pw-${device.name}`), "credentials are sealed");
    for (const port of [...first.output.matchAll(/curl localhost:(\d+)\/healthz/g)].map((m) => Number(m[1]))) {
      assert.ok(await closed(port), `ops port ${port} is closed after the stack stopped`);
    }

    const second = await runOnce(env);
    assert.equal(second.code, 0, second.output);
    assert.match(second.output, /Seal keys: reused from/);
    assert.match(second.output, /schema up to date/);
    assert.doesNotMatch(second.output, /nl_[A-Za-z0-9_-]{43}/, "the token is printed only when created");
    const demoAgain = JSON.parse(await readFile(join(stateDir, "demo.json"), "utf8"));
    assert.equal(demoAgain.token, token, "a restart writes the same, still working token");
    const again = await world.db.selectFrom("devices").select(["id", "name"]).orderBy("name").execute();
    assert.deepEqual(
      again,
      devices.map(({ id, name }) => ({ id, name })),
    );
  });
});
