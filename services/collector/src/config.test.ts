import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, generateKey } from "@netledger/platform";
import { loadCollectorConfig } from "./config.js";

const base = { NETLEDGER_SEAL_KEYS: `k1:${generateKey()}` };

function problems(env: Record<string, string>): string[] {
  try {
    loadCollectorConfig({ ...base, ...env });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  return [];
}

describe("collector config", () => {
  it("rejects zero lifetimes and timeouts, naming each key", () => {
    const found = problems({
      LOCK_TTL_MS: "0",
      SSH_CONNECT_TIMEOUT_MS: "0s",
      SSH_COMMAND_TIMEOUT_MS: "0",
      COLLECTOR_PUBLISH_TIMEOUT_MS: "0ms",
      LOCK_COMMAND_TIMEOUT_MS: "0",
    });
    for (const key of [
      "LOCK_TTL_MS",
      "SSH_CONNECT_TIMEOUT_MS",
      "SSH_COMMAND_TIMEOUT_MS",
      "COLLECTOR_PUBLISH_TIMEOUT_MS",
      "LOCK_COMMAND_TIMEOUT_MS",
    ]) {
      assert.ok(
        found.some((p) => p.startsWith(`${key}:`)),
        `${key} rejected: ${found.join("; ")}`,
      );
    }
  });

  it("accepts sizes with units, as documented", () => {
    assert.equal(loadCollectorConfig({ ...base, EXPORT_MAX_BYTES: "32MiB" }).EXPORT_MAX_BYTES, 32 * 1024 * 1024);
    assert.equal(loadCollectorConfig({ ...base, EXPORT_MAX_BYTES: "1048576" }).EXPORT_MAX_BYTES, 1024 * 1024);
    assert.ok(problems({ EXPORT_MAX_BYTES: "0" }).some((p) => p.startsWith("EXPORT_MAX_BYTES:")));
  });

  it("blames a bad REDIS_URL on REDIS_URL, and uses it for locks when REDIS_LOCK_URLS is unset", () => {
    const found = problems({ REDIS_URL: "http://cache.example:6379" });
    assert.ok(
      found.some((p) => p.startsWith("REDIS_URL:")),
      found.join("; "),
    );
    assert.ok(!found.some((p) => p.startsWith("REDIS_LOCK_URLS")), found.join("; "));
    assert.ok(!found.join(" ").includes("cache.example"), "never the value");
    assert.deepEqual(loadCollectorConfig({ ...base, REDIS_URL: "redis://r:6380" }).REDIS_LOCK_URLS, ["redis://r:6380"]);
    assert.deepEqual(
      loadCollectorConfig({ ...base, REDIS_URL: "redis://r:6380", REDIS_LOCK_URLS: "redis://a:1,redis://b:2" })
        .REDIS_LOCK_URLS,
      ["redis://a:1", "redis://b:2"],
    );
  });

  it("needs a lock command timeout that leaves room to retry an extension within the lock's lifetime", () => {
    assert.ok(
      problems({ LOCK_TTL_MS: "3s", LOCK_COMMAND_TIMEOUT_MS: "2s" }).some((p) =>
        p.startsWith("LOCK_COMMAND_TIMEOUT_MS:"),
      ),
    );
    assert.deepEqual(problems({ LOCK_TTL_MS: "3s", LOCK_COMMAND_TIMEOUT_MS: "1s" }), []);
  });
});
