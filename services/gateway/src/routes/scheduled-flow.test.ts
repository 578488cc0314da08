import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { until } from "@netledger/testkit";
import { type FlowHarness, startFlowHarness } from "../../test/backup-flow-harness.js";
import type { TestGateway } from "../../test/harness.js";

const ADDED = "add address=203.0.113.9/24 comment=scheduled-e2e interface=ether1";

/**
 * End to end with no trigger at all: the ingestor's scheduler enqueues the device, a collector
 * takes the job from the work queue, the ingestor stores the version; a config changed on the
 * simulator shows up in the next scheduled version as a structured change naming its entity, and
 * the REST history serves both.
 */
describe("scheduled backups end to end", { timeout: 240_000 }, () => {
  let h: FlowHarness;
  let gw: TestGateway;
  let tenantId: string;
  let viewer: string;
  let deviceId: string;
  const history = async () => {
    const res = await gw.request("GET", `/api/tenants/${tenantId}/devices/${deviceId}/config-history`, {
      token: viewer,
    });
    assert.equal(res.status, 200, res.text);
    return res.body.items as Array<{ seq: number; changes: Array<Record<string, unknown>> }>;
  };

  before(async () => {
    h = await startFlowHarness({ fleet: { count: 1 } });
    await h.collector();
    gw = await h.gateway();
    tenantId = await gw.createTenant();
    viewer = await gw.createToken(tenantId, "viewer");
    deviceId = (await h.addDevice(tenantId, h.fleet.devices[0]!)).id;
    await h.ingestor({
      BACKUP_INTERVAL_MS: "1500",
      SCHEDULER_TICK_MS: "200",
      SCHEDULER_JITTER_PERCENT: "0",
      SCHEDULER_RETRY_BACKOFF: "off",
    });
  });
  after(() => h?.close());

  it("stores a first version with no trigger, then the change made on the device as its own version", async () => {
    await until("a first scheduled version", async () => (await history()).length >= 1);
    const snapshots = await h.world.db.selectFrom("config_snapshots").select("source_msg_id").execute();
    assert.ok(
      snapshots.every((s) => s.source_msg_id.startsWith("job:")),
      "every version came from a scheduled job, none from a trigger",
    );
    const triggers = await h.world.db
      .selectFrom("audit_events")
      .select("id")
      .where("action", "=", "config_backup_manual_trigger")
      .execute();
    assert.equal(triggers.length, 0);

    h.fleet.devices[0]!.changeConfig({ op: "add", section: "/ip address", line: ADDED });
    await until("a second scheduled version", async () => (await history()).length >= 2);
    const [newest] = await history();
    assert.equal(newest!.seq, 2);
    const added = newest!.changes.filter((c) => c.kind === "added");
    assert.equal(added.length, 1, JSON.stringify(newest!.changes));
    assert.equal(added[0]!.path, "/ip address");
    assert.match(String(added[0]!.identity), /203\.0\.113\.9\/24/);
  });
});
