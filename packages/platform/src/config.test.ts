import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { env, parseConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import { generateKey } from "./seal.js";
import { wireConfigShape, wireFromConfig } from "./wire-config.js";

const schema = z.object({
  NATS_URL: env.natsUrl(),
  REDIS_URL: env.redisUrl(),
  REDIS_LOCK_URLS: env.redisUrls(),
  DATABASE_URL: env.databaseUrl(),
  NETLEDGER_NAMESPACE: env.namespace(),
  NETLEDGER_SEAL_KEYS: env.sealKeys(),
  LOG_LEVEL: env.logLevel(),
  OPS_PORT: env.port(9464),
  REQUEST_TIMEOUT: env.durationMs(5_000),
  CONCURRENCY: env.positiveInt(4),
  DEBUG_SQL: env.bool(false),
});

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err;
  }
  assert.fail("expected ConfigError");
}

describe("parseConfig", () => {
  const key = generateKey();

  it("applies defaults (blank counts as unset) and parses every field type", () => {
    const config = parseConfig(schema, {
      NETLEDGER_SEAL_KEYS: `k2:${key}, k1:${generateKey()}`,
      NATS_URL: "nats://a:4222, b:4223 ,",
      LOG_LEVEL: "",
      REQUEST_TIMEOUT: "30s",
      CONCURRENCY: "16",
      DEBUG_SQL: "YES",
      OPS_PORT: "0",
    });
    assert.deepEqual(config.NATS_URL, ["nats://a:4222", "b:4223"]);
    assert.equal(config.REDIS_URL, "redis://127.0.0.1:6379");
    assert.deepEqual(config.REDIS_LOCK_URLS, ["redis://127.0.0.1:6379"]);
    assert.equal(config.DATABASE_URL, "postgres://postgres@127.0.0.1:5432/netledger");
    assert.equal(config.NETLEDGER_NAMESPACE, "netledger");
    assert.equal(config.NETLEDGER_SEAL_KEYS.currentKeyId, "k2");
    assert.equal(config.NETLEDGER_SEAL_KEYS.keys.get("k2")?.toString("base64"), key);
    assert.equal(config.LOG_LEVEL, "info");
    assert.equal(config.OPS_PORT, 0);
    assert.equal(config.REQUEST_TIMEOUT, 30_000);
    assert.equal(config.CONCURRENCY, 16);
    assert.equal(config.DEBUG_SQL, true);
    assert.equal(parseConfig(schema, { NETLEDGER_SEAL_KEYS: `k:${key}`, REQUEST_TIMEOUT: "250" }).REQUEST_TIMEOUT, 250);
  });

  it("returns a deep-frozen object", () => {
    const config = parseConfig(schema, { NETLEDGER_SEAL_KEYS: `k:${key}` });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.NATS_URL));
    assert.throws(() => (config.NATS_URL as string[]).push("x"), TypeError);
  });

  it("lists every bad and missing key and never echoes a value", () => {
    const bad = {
      NATS_URL: "http://nats-secret-host",
      REDIS_URL: "redis-secret-pass",
      REDIS_LOCK_URLS: "redis://ok:6379,mysql://lock-secret",
      DATABASE_URL: "mysql://user:db-secret-pass@h/x",
      NETLEDGER_NAMESPACE: "Bad-Secret-NS",
      LOG_LEVEL: "loudsecret",
      OPS_PORT: "99999",
      REQUEST_TIMEOUT: "5 fortnights",
      CONCURRENCY: "-3",
      DEBUG_SQL: "maybesecret",
    };
    const err = configError(() => parseConfig(schema, bad));
    assert.equal(err.code, "CONFIG_INVALID");
    const keys = err.problems.map((problem) => problem.split(/[ :]/)[0]);
    assert.deepEqual(new Set(keys), new Set([...Object.keys(bad), "NETLEDGER_SEAL_KEYS"]));
    assert.match(err.message, /NETLEDGER_SEAL_KEYS: is required/);
    for (const problem of err.problems) assert.ok(err.message.includes(problem));
    for (const value of Object.values(bad)) assert.ok(!err.message.includes(value), `echoed ${value}`);
    assert.doesNotMatch(err.message, /secret|99999|fortnight/i);
    const zero = configError(() => parseConfig(schema, { NETLEDGER_SEAL_KEYS: `k:${key}`, CONCURRENCY: "0" }));
    assert.deepEqual(zero.problems, ["CONCURRENCY: must be at least 1"]);
  });

  it("rejects a bad key ring without showing key material", () => {
    const short = Buffer.from("sixteen-byte-key").toString("base64");
    for (const spec of [`k1:${short}`, key, `k1:${key},k1:${key}`]) {
      const err = configError(() => parseConfig(schema, { NETLEDGER_SEAL_KEYS: spec }));
      assert.match(err.problems[0] ?? "", /^NETLEDGER_SEAL_KEYS: /);
      assert.ok(!err.message.includes(short) && !err.message.includes(key.slice(0, 12)));
    }
  });

  it("reads process.env by default", () => {
    const name = `NETLEDGER_PLATFORM_TEST_${process.pid}`;
    process.env[name] = "7";
    try {
      assert.equal(parseConfig(z.object({ [name]: env.positiveInt(1) }))[name], 7);
    } finally {
      delete process.env[name];
    }
  });
});

describe("wire config", () => {
  it("parses byte sizes with binary units and sizes the streams from them", () => {
    const config = parseConfig(z.object(wireConfigShape), {
      NETLEDGER_NAMESPACE: "sized",
      NETLEDGER_SNAPSHOTS_MAX_BYTES: "256MiB",
      NETLEDGER_EVENTS_MAX_BYTES: "1048576",
    });
    const wire = wireFromConfig(config);
    assert.equal(wire.streams.snapshots.max_bytes, 256 * 1024 * 1024);
    assert.equal(wire.streams.events.max_bytes, 1024 * 1024);
    assert.equal(wire.streams.snapshots.name, "SIZED_SNAPSHOTS");
    const defaults = wireFromConfig(parseConfig(z.object(wireConfigShape), {}));
    assert.equal(defaults.streams.snapshots.max_bytes, 8 * 1024 ** 3);
    assert.throws(
      () => parseConfig(z.object(wireConfigShape), { NETLEDGER_EVENTS_MAX_BYTES: "lots" }),
      /EVENTS_MAX_BYTES/,
    );
  });
});
