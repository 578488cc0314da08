import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createWorld, type World } from "@netledger/testkit";
import { startTestGateway, type TestGateway } from "../../test/harness.js";

describe("audit events", () => {
  let world: World;
  let gw: TestGateway;
  let tenantId: string;
  let admin: string;
  const list = (query = "") => gw.request("GET", `/api/tenants/${tenantId}/audit-events${query}`, { token: admin });

  before(async () => {
    world = await createWorld({ streams: false });
    gw = await startTestGateway(world);
    tenantId = await gw.createTenant();
    admin = await gw.createToken(tenantId, "admin");
    for (let i = 0; i < 4; i++) {
      await gw.request("POST", `/api/tenants/${tenantId}/devices`, {
        token: admin,
        body: { name: `a${i}`, host: "h", credentials: { username: "u", password: `secret-${i}` } },
      });
    }
  });
  after(async () => {
    await gw?.close();
    await world?.close();
  });

  test("newest first, filtered by action and target, paged by cursor, no secrets", async () => {
    const all = await list();
    assert.equal(all.status, 200);
    const actions = all.body.items.map((e: { action: string }) => e.action);
    assert.deepEqual(actions.slice(0, 4), Array(4).fill("device.created"));
    assert.ok(actions.includes("api_token.created"));
    assert.ok(!all.text.includes("secret-"));

    const created = await list("?action=device.created&limit=3");
    assert.equal(created.body.items.length, 3);
    const rest = await list(`?action=device.created&limit=3&cursor=${created.body.nextCursor}`);
    assert.equal(rest.body.items.length, 1);
    assert.equal(rest.body.nextCursor, null);
    const ids = [...created.body.items, ...rest.body.items].map((e: { id: string }) => e.id);
    assert.equal(new Set(ids).size, 4);

    const target = created.body.items[0];
    const one = await list(`?targetType=device&targetId=${target.targetId}`);
    assert.deepEqual(
      one.body.items.map((e: { id: string }) => e.id),
      [target.id],
    );
    const tokenCreated = all.body.items.find((e: { action: string }) => e.action === "api_token.created");
    assert.equal(tokenCreated.actor, "bootstrap");
  });

  test("time range: from inclusive, to exclusive; bad values are 400", async () => {
    const all = await list();
    const newest = all.body.items[0];
    const only = await list(`?from=${encodeURIComponent(newest.at)}`);
    assert.ok(only.body.items.every((e: { at: string }) => e.at >= newest.at));
    const none = await list(`?to=${encodeURIComponent("2000-01-01T00:00:00Z")}`);
    assert.deepEqual(none.body.items, []);
    for (const query of [
      "?from=yesterday",
      "?limit=0",
      "?limit=201",
      "?action=a&action=b",
      "?unknown=1",
      "?cursor=!!",
    ]) {
      const res = await list(query);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.errors[0].location, "query");
    }
  });

  test("operators and viewers get 403", async () => {
    for (const role of ["operator", "viewer"] as const) {
      const token = await gw.createToken(tenantId, role);
      const res = await gw.request("GET", `/api/tenants/${tenantId}/audit-events`, { token });
      assert.equal(res.status, 403);
    }
  });
});
