import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Database } from "@netledger/db";
import { createDatabase, createLogger } from "@netledger/platform";
import { createWorld, freePort, type World } from "@netledger/testkit";
import type { Kysely } from "kysely";
import { startTestGateway, type TestGateway } from "../test/harness.js";

describe("gateway app: cross-cutting behaviour", () => {
  let world: World;
  let gw: TestGateway;
  const logLines: string[] = [];
  let tenantId: string;
  let admin: string;

  before(async () => {
    world = await createWorld({ streams: false });
    const logger = createLogger({
      name: "gateway-test",
      level: "info",
      destination: { write: (line: string) => void logLines.push(line) },
    });
    gw = await startTestGateway(world, {}, { logger });
    tenantId = await gw.createTenant();
    admin = await gw.createToken(tenantId, "admin");
  });
  after(async () => {
    await gw?.close();
    await world?.close();
  });

  test("request logs carry a request id and the route, never the Authorization header, query or body", async () => {
    const password = "log-canary-password";
    const res = await gw.request("POST", `/api/tenants/${tenantId}/devices?x=query-canary`, {
      token: admin,
      body: { name: "logged", host: "h", credentials: { username: "u", password } },
      headers: { "x-request-id": "req-123" },
    });
    assert.equal(res.status, 400, "unknown query keys are rejected");
    assert.equal(res.headers.get("x-request-id"), "req-123");
    const created = await gw.request("POST", `/api/tenants/${tenantId}/devices`, {
      token: admin,
      body: { name: "logged", host: "h", credentials: { username: "u", password } },
    });
    assert.equal(created.status, 201);
    const lines = logLines.join("");
    for (const canary of [admin, password, "query-canary", "Bearer"]) assert.ok(!lines.includes(canary), canary);
    const line = logLines.map((l) => JSON.parse(l)).find((l) => l.reqId === "req-123");
    assert.equal(line?.route, "/api/tenants/{tenantId}/devices");
    assert.equal(line?.res?.status, 400);
  });

  test("metrics label requests by route template, never by raw path", async () => {
    await gw.request("GET", `/api/tenants/${tenantId}/devices`, { token: admin });
    await gw.request("GET", "/no/such/path");
    const text = await gw.deps.registry.metrics();
    assert.match(
      text,
      /^http_request_duration_seconds_count\{.*route="\/api\/tenants\/\{tenantId\}\/devices",status="200"\} [1-9]/m,
    );
    assert.match(text, /route="unmatched"/);
    assert.ok(!text.includes(tenantId), "no id in a label");
    assert.ok(!text.includes("/no/such/path"));
  });

  test("security headers, problem documents for unknown routes and methods, body size limit", async () => {
    const res = await gw.request("GET", "/healthz");
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("x-powered-by"), null);
    for (const method of ["GET", "PUT", "OPTIONS"]) {
      const unknown = await gw.request(method, method === "GET" ? "/api/nothing" : "/api/tenants");
      assert.ok([404, 405].includes(unknown.status), `${method}: ${unknown.status}`);
      assert.match(unknown.headers.get("content-type") ?? "", /problem\+json/);
    }
    const big = await gw.request("POST", `/api/tenants/${tenantId}/tokens`, {
      token: admin,
      rawBody: JSON.stringify({ name: "x".repeat(2 * 1024 * 1024), role: "admin" }),
      contentType: "application/json",
    });
    assert.equal(big.status, 413);
    assert.equal(big.body.code, "PAYLOAD_TOO_LARGE");
  });

  test("the OpenAPI document: 3.1, unique operation ids, every path parameter declared, errors as problems", async () => {
    const doc = gw.openapi;
    assert.equal(doc.openapi, "3.1.0");
    const served = await gw.request("GET", "/openapi.json");
    assert.deepEqual(served.body, JSON.parse(JSON.stringify(doc)));
    const ids = new Set<string>();
    for (const [path, operations] of Object.entries(doc.paths)) {
      const declared = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const [method, op] of Object.entries(operations)) {
        assert.ok(!ids.has(op.operationId), op.operationId);
        ids.add(op.operationId);
        const inPath = op.parameters
          .filter((p) => p.in === "path")
          .map((p) => p.name)
          .sort();
        assert.deepEqual(inPath, declared, `${method} ${path}`);
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) >= 400)
            assert.ok(response.content?.["application/problem+json"], `${method} ${path} ${status}`);
        }
        if (op.security) assert.ok(op.responses["401"] && op.responses["403"], `${method} ${path}`);
      }
    }
    const trigger = doc.paths["/api/tenants/{tenantId}/devices/{deviceId}/config-snapshot/trigger"]?.post;
    const key = trigger?.parameters.find((p) => p.in === "header");
    assert.equal(key?.name, "Idempotency-Key");
    assert.equal(key?.required, false);
    assert.equal(key?.schema.type, "string");
    assert.match(key?.description ?? "", /24 h/);
  });
});

describe("gateway app: database down", () => {
  let world: World;
  let gw: TestGateway;
  let db: Kysely<Database>;
  before(async () => {
    world = await createWorld({ streams: false });
    const logger = createLogger({ name: "gateway-test", level: "silent" });
    db = createDatabase<Database>({
      url: `postgres://postgres@127.0.0.1:${await freePort()}/none`,
      logger,
      applicationName: "t",
    });
    gw = await startTestGateway(world, {}, { logger, db });
  });
  after(async () => {
    await gw?.close();
    await db?.destroy();
    await world?.close();
  });

  test("answers 503 SERVICE_UNAVAILABLE with Retry-After, not 500", async () => {
    const tenant = await gw.request("POST", "/api/tenants", { token: gw.bootstrapToken, body: { name: "x" } });
    assert.equal(tenant.status, 503);
    assert.equal(tenant.body.code, "SERVICE_UNAVAILABLE");
    assert.equal(tenant.headers.get("retry-after"), "5");
    const tokenLookup = await gw.request("GET", "/api/tenants", { token: "nl_some-token" });
    assert.equal(tokenLookup.status, 503);
  });
});
