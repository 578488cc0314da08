import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DeviceCredentialsCodec } from "@netledger/contracts";
import { deviceSealAad } from "@netledger/platform";
import { createWorld, type World } from "@netledger/testkit";
import { startTestGateway, type TestGateway } from "../../test/harness.js";

describe("device import", () => {
  let world: World;
  let gw: TestGateway;
  let tenantId: string;
  let operator: string;
  const path = () => `/api/tenants/${tenantId}/devices/import`;

  before(async () => {
    world = await createWorld({ streams: false });
    gw = await startTestGateway(world);
    tenantId = await gw.createTenant();
    operator = await gw.createToken(tenantId, "operator");
    await gw.request("POST", `/api/tenants/${tenantId}/devices`, {
      token: operator,
      body: { name: "taken", host: "192.0.2.1", credentials: { username: "u", password: "p" } },
    });
  });
  after(async () => {
    await gw?.close();
    await world?.close();
  });

  test("CSV: valid rows are created, each bad row gets its own result; no password echoed", async () => {
    const csv = [
      "name,host,port,username,password,model",
      "edge-1,192.0.2.11,22,backup,s3cret-one,routeros",
      'edge-2,192.0.2.12,,backup,"s3cret,two",mikrotik',
      "edge-3,192.0.2.13,99999,backup,s3cret-three,routeros",
      "edge-4,192.0.2.14,22,backup,,routeros",
      "taken,192.0.2.15,22,backup,s3cret-five,routeros",
      "edge-6,192.0.2.16,22,backup,s3cret-six,junos",
      "edge-1,192.0.2.17,22,backup,s3cret-seven,routeros",
      "",
    ].join("\r\n");
    const res = await gw.request("POST", path(), { token: operator, rawBody: csv, contentType: "text/csv" });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.created, 2);
    assert.equal(res.body.failed, 5);
    const byRow = res.body.results.map((r: { row: number; status: string; code?: string; line: number }) => [
      r.row,
      r.line,
      r.status,
      r.code ?? null,
    ]);
    assert.deepEqual(byRow, [
      [1, 2, "created", null],
      [2, 3, "created", null],
      [3, 4, "failed", "VALIDATION_FAILED"],
      [4, 5, "failed", "VALIDATION_FAILED"],
      [5, 6, "failed", "CONFLICT"],
      [6, 7, "failed", "VALIDATION_FAILED"],
      [7, 8, "failed", "CONFLICT"],
    ]);
    assert.equal(res.body.results[2].errors[0].path, "port");
    assert.equal(res.body.results[5].errors[0].path, "model");
    assert.ok(!/s3cret/.test(res.text));

    const edge2 = await world.db
      .selectFrom("devices")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("name", "=", "edge-2")
      .executeTakeFirstOrThrow();
    assert.equal(edge2.port, 22);
    const creds = DeviceCredentialsCodec.decode(
      world.sealer.openString(edge2.credentials_sealed, deviceSealAad(tenantId, edge2.id)),
    );
    assert.deepEqual(creds, { username: "backup", password: "s3cret,two" });
    const audits = await world.db
      .selectFrom("audit_events")
      .select("detail")
      .where("tenant_id", "=", tenantId)
      .where("action", "=", "device.created")
      .execute();
    assert.equal(audits.filter((a) => a.detail.via === "import").length, 2);
  });

  test("JSON rows, same shape; an unknown field fails only its row", async () => {
    const res = await gw.request("POST", path(), {
      token: operator,
      body: {
        devices: [
          { name: "json-1", host: "192.0.2.21", username: "u", privateKey: "-----BEGIN KEY-----" },
          { name: "json-2", host: "192.0.2.22", username: "u", password: "p", colour: "blue" },
          { name: "json-3", host: "not a host", username: "u", password: "p" },
        ],
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.results.map((r: { status: string }) => r.status),
      ["created", "failed", "failed"],
    );
    assert.ok(!res.text.includes("BEGIN KEY"));
  });

  test("rows imported in one transaction (same created_at) page through without loss or repeats", async () => {
    const tenant = await gw.createTenant();
    const token = await gw.createToken(tenant, "operator");
    const devices = Array.from({ length: 7 }, (_, i) => ({
      name: `bulk-${i}`,
      host: "192.0.2.30",
      username: "u",
      password: "p",
    }));
    const res = await gw.request("POST", `/api/tenants/${tenant}/devices/import`, { token, body: { devices } });
    assert.equal(res.body.created, 7);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { name: string }[]; nextCursor: string | null } } = await gw.request(
        "GET",
        `/api/tenants/${tenant}/devices?limit=3${cursor ? `&cursor=${cursor}` : ""}`,
        { token },
      );
      seen.push(...page.body.items.map((d) => d.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual([...seen].sort(), devices.map((d) => d.name).sort());
  });

  test("a file that is not the expected CSV is 400; other media types 415; viewers 403", async () => {
    for (const csv of ["", "hostname,ip\nr1,192.0.2.1", "name,host,username\n", 'name,host,username\n"unclosed,h,u']) {
      const res = await gw.request("POST", path(), { token: operator, rawBody: csv, contentType: "text/csv" });
      assert.equal(res.status, 400, csv);
      assert.equal(res.body.code, "VALIDATION_FAILED");
    }
    const xml = await gw.request("POST", path(), {
      token: operator,
      rawBody: "<devices/>",
      contentType: "application/xml",
    });
    assert.equal(xml.status, 415);
    const viewer = await gw.createToken(tenantId, "viewer");
    const denied = await gw.request("POST", path(), {
      token: viewer,
      rawBody: "name,host,username\na,b,c",
      contentType: "text/csv",
    });
    assert.equal(denied.status, 403);
  });
});
