import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { NatsConnection } from "@nats-io/nats-core";
import { connectNats, createLogger } from "@netledger/platform";
import { type ServerHandle, startNatsServer, until, type World } from "@netledger/testkit";
import { type FlowHarness, startFlowHarness } from "../../test/backup-flow-harness.js";

/** Long enough that the bus blip happens, and heals, while the collector is still exporting. */
const DEVICE_LATENCY_MS = 5_000;

describe("back up now across a NATS restart (private server)", { timeout: 120_000 }, () => {
  let server: ServerHandle;
  let h: FlowHarness;
  let gatewayNc: NatsConnection;
  let collectorNc: NatsConnection;
  before(async () => {
    server = await startNatsServer();
    h = await startFlowHarness({ fleet: { count: 1, latencyMs: DEVICE_LATENCY_MS } });
    const logger = createLogger({ name: "reconnect-test", level: "silent" });
    gatewayNc = await connectNats({ servers: [server.url], name: "gateway-test", logger });
    collectorNc = await connectNats({ servers: [server.url], name: "collector-test", logger });
    h.onClose(() => server.stop());
    h.onClose(() => gatewayNc.close());
    h.onClose(() => collectorNc.close());
    await h.collector({ nc: collectorNc, env: { NATS_URL: server.url, SSH_COMMAND_TIMEOUT_MS: "20000" } });
  });
  after(() => h?.close());

  it("a short bus blip during a trigger is not a 504: the request is sent again and answered", async () => {
    // The harness world, but its NATS is the private server (same namespace: streams made by the collector).
    const onPrivateNats: World = Object.create(h.world, {
      nc: { value: gatewayNc },
      natsUrl: { value: server.url },
      env: { value: () => ({ ...h.world.env(), NATS_URL: server.url }) },
    });
    const gw = await h.gateway({ TRIGGER_TIMEOUT_MS: "30000", TRIGGER_INGEST_WAIT_MS: "100" }, onPrivateNats);
    const tenantId = await gw.createTenant();
    const operator = await gw.createToken(tenantId, "operator");
    const sim = h.fleet.devices[0]!;
    const device = await h.addDevice(tenantId, sim);

    const pending = gw.request("POST", `/api/tenants/${tenantId}/devices/${device.id}/config-snapshot/trigger`, {
      token: operator,
    });
    await until("the collector is backing the device up", () => sim.stats.sessions > 0);
    await server.stop();
    await server.start();
    const res = await pending;
    assert.equal(res.status, 201, res.text);
    assert.match(res.body.sha256, /^[0-9a-f]{64}$/);
  });
});
