import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "@netledger/platform";
import { loadIngestorConfig } from "./config.js";

const base = {
  NATS_URL: "nats://127.0.0.1:4222",
  DATABASE_URL: "postgres://root@127.0.0.1:5432/test",
  NETLEDGER_SEAL_KEYS: `k1:${Buffer.alloc(32, 7).toString("base64")}`,
};

describe("ingestor config", () => {
  it("groups trickling snapshots for 20 ms by default, and takes 0 to start every batch at once", () => {
    assert.equal(loadIngestorConfig(base).INGEST_BATCH_LINGER_MS, 20);
    assert.equal(loadIngestorConfig({ ...base, INGEST_BATCH_LINGER_MS: "0" }).INGEST_BATCH_LINGER_MS, 0);
  });

  it("refuses a batch linger that would let the server redeliver a waiting message", () => {
    assert.throws(
      () => loadIngestorConfig({ ...base, INGEST_BATCH_LINGER_MS: "20s", INGEST_ACK_WAIT_MS: "60s" }),
      (err: unknown) => err instanceof ConfigError && /INGEST_BATCH_LINGER_MS/.test(err.message),
    );
    assert.throws(() => loadIngestorConfig({ ...base, INGEST_BATCH_LINGER_MS: "-5" }), ConfigError);
  });
});
