import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createWorld, until, type World } from "@netledger/testkit";
import { startTestGateway, type TestGateway } from "../../test/harness.js";

describe("tenants and tokens", () => {
  let world: World;
  let gw: TestGateway;
  before(async () => {
    world = await createWorld({ streams: false });
    gw = await startTestGateway(world);
  });
  after(async () => {
    await gw?.close();
    await world?.close();
  });

  test("401 without, with a malformed, or with an unknown token; problem+json with a stable code", async () => {
    for (const token of [undefined, "", "not a token", "nl_unknown"]) {
      const res = await gw.request("GET", "/api/tenants", { token });
      assert.equal(res.status, 401);
      assert.equal(res.body.code, "UNAUTHENTICATED");
      assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
      assert.ok(res.headers.get("x-request-id"));
    }
  });

  test("platform admin creates and lists tenants; duplicate name is 409; tenant tokens get 403", async () => {
    const name = `acme-${Date.now()}`;
    const created = await gw.request("POST", "/api/tenants", { token: gw.bootstrapToken, body: { name } });
    assert.equal(created.status, 201);
    const again = await gw.request("POST", "/api/tenants", { token: gw.bootstrapToken, body: { name } });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, "CONFLICT");
    const list = await gw.request("GET", "/api/tenants", { token: gw.bootstrapToken });
    assert.ok(list.body.items.some((t: { id: string }) => t.id === created.body.id));
    const admin = await gw.createToken(created.body.id, "admin");
    assert.equal((await gw.request("GET", "/api/tenants", { token: admin })).status, 403);
    assert.equal((await gw.request("POST", "/api/tenants", { token: admin, body: { name: "x" } })).status, 403);
    assert.equal((await gw.request("GET", `/api/tenants/${created.body.id}`, { token: admin })).status, 200);
  });

  test("a token is shown once, stored hashed, listed without value, revoked for good, audited", async () => {
    const tenantId = await gw.createTenant();
    const admin = await gw.createToken(tenantId, "admin");
    const created = await gw.request("POST", `/api/tenants/${tenantId}/tokens`, {
      token: admin,
      body: { name: "ci", role: "operator" },
    });
    assert.equal(created.status, 201);
    const token: string = created.body.token;
    assert.match(token, /^nl_[A-Za-z0-9_-]{43}$/);
    const row = await world.db
      .selectFrom("api_tokens")
      .selectAll()
      .where("id", "=", created.body.id)
      .executeTakeFirstOrThrow();
    assert.notEqual(row.token_hash, token);
    assert.ok(!JSON.stringify(row).includes(token));

    const list = await gw.request("GET", `/api/tenants/${tenantId}/tokens`, { token: admin });
    assert.equal(list.status, 200);
    assert.ok(!list.text.includes(token));
    assert.ok(!list.text.includes(row.token_hash));

    assert.equal((await gw.request("GET", `/api/tenants/${tenantId}`, { token })).status, 200);
    await until("last_used_at is recorded", async () => {
      const used = await world.db
        .selectFrom("api_tokens")
        .select("last_used_at")
        .where("id", "=", created.body.id)
        .executeTakeFirstOrThrow();
      return used.last_used_at !== null;
    });
    assert.equal((await gw.request("GET", `/api/tenants/${tenantId}/tokens`, { token })).status, 403);
    const revoked = await gw.request("DELETE", `/api/tenants/${tenantId}/tokens/${created.body.id}`, { token: admin });
    assert.equal(revoked.status, 204);
    assert.equal((await gw.request("GET", `/api/tenants/${tenantId}`, { token })).status, 401);

    const audit = await world.db
      .selectFrom("audit_events")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("target_id", "=", created.body.id)
      .orderBy("created_at")
      .execute();
    assert.deepEqual(
      audit.map((e) => e.action),
      ["api_token.created", "api_token.revoked"],
    );
    assert.ok(audit.every((e) => e.actor !== "system" && !JSON.stringify(e).includes(token)));
  });

  test("another tenant's ids answer 404, whatever the role", async () => {
    const mine = await gw.createTenant();
    const theirs = await gw.createTenant();
    const admin = await gw.createToken(mine, "admin");
    const theirAdmin = await gw.createToken(theirs, "admin");
    const theirToken = await gw.request("GET", `/api/tenants/${theirs}/tokens`, { token: theirAdmin });
    const theirTokenId = theirToken.body.items[0].id;
    for (const [method, path] of [
      ["GET", `/api/tenants/${theirs}`],
      ["GET", `/api/tenants/${theirs}/tokens`],
      ["POST", `/api/tenants/${theirs}/tokens`],
      ["DELETE", `/api/tenants/${theirs}/tokens/${theirTokenId}`],
      ["DELETE", `/api/tenants/${mine}/tokens/${theirTokenId}`],
    ] as const) {
      const res = await gw.request(method, path, {
        token: admin,
        body: method === "POST" ? { name: "x", role: "admin" } : undefined,
      });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.code, "NOT_FOUND");
    }
    const viewer = await gw.createToken(mine, "viewer");
    assert.equal((await gw.request("GET", `/api/tenants/${theirs}/tokens`, { token: viewer })).status, 404);
  });

  test("validation errors name the field, never echo the value", async () => {
    const tenantId = await gw.createTenant();
    const admin = await gw.createToken(tenantId, "admin");
    const res = await gw.request("POST", `/api/tenants/${tenantId}/tokens`, {
      token: admin,
      body: { name: "x", role: "superuser-hunter2" },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, "VALIDATION_FAILED");
    assert.equal(res.body.errors[0].path, "role");
    assert.ok(!res.text.includes("hunter2"));
    const bad = await gw.request("GET", "/api/tenants/not-a-uuid/tokens", { token: admin });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].location, "path");
    const malformed = await gw.request("POST", `/api/tenants/${tenantId}/tokens`, {
      token: admin,
      rawBody: '{"name": "hunter2',
      contentType: "application/json",
    });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.code, "MALFORMED_BODY");
    assert.ok(!malformed.text.includes("hunter2"));
  });
});
