import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { generateKey } from "@netledger/platform";
import { loadBootstrapToken } from "./auth/authenticate.js";
import { loadGatewayConfig } from "./config.js";

const base = { NETLEDGER_SEAL_KEYS: `k1:${generateKey()}` };
const token = "b".repeat(40);

test("defaults: API on 8080, ops on 9101, no platform admin, reject when Redis is down", () => {
  const config = loadGatewayConfig(base);
  assert.equal(config.GATEWAY_PORT, 8080);
  assert.equal(config.OPS_PORT, 9101);
  assert.equal(config.NETLEDGER_BOOTSTRAP_TOKEN, undefined);
  assert.equal(config.RATE_LIMIT_ON_STORE_ERROR, "reject");
  assert.equal(config.GATEWAY_BODY_LIMIT, 1024 * 1024);
});

test("a short bootstrap token, or both token and file, stop start-up without printing the value", () => {
  const short = "short-secret-value";
  assert.throws(
    () => loadGatewayConfig({ ...base, NETLEDGER_BOOTSTRAP_TOKEN: short }),
    (err: Error) => /NETLEDGER_BOOTSTRAP_TOKEN: must be at least 32/.test(err.message) && !err.message.includes(short),
  );
  assert.throws(
    () => loadGatewayConfig({ ...base, NETLEDGER_BOOTSTRAP_TOKEN: token, NETLEDGER_BOOTSTRAP_TOKEN_FILE: "/x" }),
    /not both/,
  );
  assert.throws(() => loadGatewayConfig({}), /NETLEDGER_SEAL_KEYS: is required/);
});

test("the bootstrap token comes from the variable or from the file (a mounted Secret, trailing newline dropped)", async () => {
  assert.equal(await loadBootstrapToken(loadGatewayConfig({ ...base, NETLEDGER_BOOTSTRAP_TOKEN: token })), token);
  assert.equal(await loadBootstrapToken(loadGatewayConfig(base)), undefined);
  const dir = await mkdtemp(join(tmpdir(), "netledger-gateway-"));
  try {
    const file = join(dir, "token");
    await writeFile(file, `${token}\n`);
    assert.equal(await loadBootstrapToken(loadGatewayConfig({ ...base, NETLEDGER_BOOTSTRAP_TOKEN_FILE: file })), token);
    await writeFile(file, "short\n");
    await assert.rejects(loadBootstrapToken({ NETLEDGER_BOOTSTRAP_TOKEN_FILE: file }), /at least 32/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
