import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Counter } from "prom-client";
import { createMetricsRegistry } from "./metrics.js";
import { type OpsServer, startOpsServer } from "./ops-server.js";
import { memoryLogger } from "./test-helpers.js";

describe("ops server", () => {
  let server: OpsServer;
  let natsUp = false;
  let dbThrows = true;
  const base = () => `http://127.0.0.1:${server.port}`;

  before(async () => {
    const registry = createMetricsRegistry("ops-test");
    new Counter({ name: "netledger_test_total", help: "test counter", registers: [registry] }).inc(3);
    server = await startOpsServer({
      port: 0,
      host: "127.0.0.1",
      registry,
      logger: memoryLogger().logger,
      checks: {
        nats: () => natsUp,
        database: async () => {
          if (dbThrows) throw new Error("connection refused");
          return true;
        },
      },
    });
  });
  after(() => server.close());

  it("answers /healthz with 200 while running", async () => {
    const res = await fetch(`${base()}/healthz`);
    assert.equal(res.status, 200);
    await res.text();
  });

  it("flips /readyz with its checks; a throwing check counts as false", async () => {
    const down = await fetch(`${base()}/readyz`);
    assert.equal(down.status, 503);
    assert.deepEqual(await down.json(), { nats: false, database: false });

    natsUp = true;
    const half = await fetch(`${base()}/readyz`);
    assert.equal(half.status, 503);
    assert.deepEqual(await half.json(), { nats: true, database: false });

    dbThrows = false;
    const up = await fetch(`${base()}/readyz`);
    assert.equal(up.status, 200);
    assert.deepEqual(await up.json(), { nats: true, database: true });

    natsUp = false;
    assert.equal((await fetch(`${base()}/readyz`).then((r) => r.arrayBuffer().then(() => r))).status, 503);
  });

  it("serves Prometheus text with default metrics and the service label", async () => {
    const res = await fetch(`${base()}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
    const body = await res.text();
    assert.match(body, /^process_cpu_user_seconds_total\{service="ops-test"\} /m);
    assert.match(body, /^nodejs_heap_size_used_bytes\{service="ops-test"\} /m);
    assert.match(body, /^netledger_test_total\{service="ops-test"\} 3$/m);
  });

  it("answers 404 for unknown paths and 405 for other methods", async () => {
    const missing = await fetch(`${base()}/nope`);
    assert.equal(missing.status, 404);
    await missing.text();
    const post = await fetch(`${base()}/healthz`, { method: "POST" });
    assert.equal(post.status, 405);
    await post.text();
  });
});

describe("createMetricsRegistry", () => {
  it("keeps registries apart, so two services in one process do not collide", async () => {
    const a = createMetricsRegistry("a");
    const b = createMetricsRegistry("b");
    assert.match(await a.metrics(), /service="a"/);
    assert.doesNotMatch(await b.metrics(), /service="a"/);
  });
});
