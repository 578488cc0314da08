import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { DeviceCredentialsCodec } from "@netledger/contracts";
import { deviceSealAad } from "@netledger/platform";
import { createWorld, type World } from "@netledger/testkit";
import { startTestGateway, type TestGateway } from "../../test/harness.js";

const fingerprint = () => `SHA256:${randomBytes(32).toString("base64").replace(/=+$/, "")}`;
const secret = () => `pw-${randomBytes(8).toString("hex")}`;

describe("devices", () => {
  let world: World;
  let gw: TestGateway;
  let tenantId: string;
  let admin: string;
  let operator: string;
  let viewer: string;
  /** Every response text, to prove no credential ever left the gateway. */
  const seen: string[] = [];
  const passwords: string[] = [];

  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await gw.request(method, path, { token, body });
    seen.push(res.text);
    return res;
  };
  const newDevice = async (overrides: Record<string, unknown> = {}) => {
    const password = secret();
    passwords.push(password);
    const res = await call("POST", `/api/tenants/${tenantId}/devices`, operator, {
      name: `r-${randomBytes(4).toString("hex")}`,
      host: "192.0.2.10",
      credentials: { username: "backup", password },
      ...overrides,
    });
    assert.equal(res.status, 201, res.text);
    return { id: res.body.id as string, password, body: res.body };
  };

  before(async () => {
    world = await createWorld({ streams: false });
    gw = await startTestGateway(world);
    tenantId = await gw.createTenant();
    admin = await gw.createToken(tenantId, "admin");
    operator = await gw.createToken(tenantId, "operator");
    viewer = await gw.createToken(tenantId, "viewer");
  });
  after(async () => {
    for (const text of seen)
      for (const password of passwords) assert.ok(!text.includes(password), "a password left the gateway");
    await gw?.close();
    await world?.close();
  });

  test("create: defaults, credentials sealed for the collector and never returned; viewer is 403", async () => {
    const { id, password, body } = await newDevice();
    assert.equal(body.port, 22);
    assert.equal(body.driver, "routeros");
    assert.equal(body.backup.blockedReason, null);
    assert.ok(!("credentials" in body));
    const row = await world.db.selectFrom("devices").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    assert.ok(!row.credentials_sealed.includes(password));
    const opened = DeviceCredentialsCodec.decode(
      world.sealer.openString(row.credentials_sealed, deviceSealAad(tenantId, id)),
    );
    assert.deepEqual(opened, { username: "backup", password });

    const denied = await call("POST", `/api/tenants/${tenantId}/devices`, viewer, {
      name: "nope",
      host: "h",
      credentials: { username: "u", password: "p" },
    });
    assert.equal(denied.status, 403);
    const noLogin = await call("POST", `/api/tenants/${tenantId}/devices`, operator, {
      name: "nologin",
      host: "h",
      credentials: { username: "u" },
    });
    assert.equal(noLogin.status, 400);
    const dup = await call("POST", `/api/tenants/${tenantId}/devices`, operator, {
      name: body.name,
      host: "h",
      credentials: { username: "u", password: "p" },
    });
    assert.equal(dup.status, 409);
  });

  test("get shows the backup status the ingestor records", async () => {
    const { id } = await newDevice();
    const at = new Date("2026-12-01T10:00:00.000Z");
    await world.db
      .updateTable("devices")
      .set({
        last_backup_at: at,
        last_backup_status: "failed",
        last_success_at: new Date("2026-11-30T10:00:00.000Z"),
        last_error_code: "SSH_TIMEOUT",
        consecutive_failures: 2,
      })
      .where("id", "=", id)
      .execute();
    const res = await call("GET", `/api/tenants/${tenantId}/devices/${id}`, viewer);
    assert.equal(res.status, 200);
    assert.deepEqual(
      { ...res.body.backup, nextDueAt: null },
      {
        lastAttemptAt: at.toISOString(),
        lastStatus: "failed",
        lastSuccessAt: "2026-11-30T10:00:00.000Z",
        lastErrorCode: "SSH_TIMEOUT",
        consecutiveFailures: 2,
        blockedReason: null,
        blockedAt: null,
        nextDueAt: null,
      },
    );
  });

  test("patch: new credentials re-sealed and clear a login block; audit lists fields, not values", async () => {
    const { id } = await newDevice();
    await world.db
      .updateTable("devices")
      .set({ blocked_reason: "SSH_AUTH_FAILED", blocked_at: new Date(), consecutive_failures: 3 })
      .where("id", "=", id)
      .execute();
    const password = secret();
    passwords.push(password);
    const res = await call("PATCH", `/api/tenants/${tenantId}/devices/${id}`, operator, {
      port: 2222,
      credentials: { username: "backup2", password },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.port, 2222);
    assert.equal(res.body.backup.blockedReason, null);
    const row = await world.db.selectFrom("devices").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    assert.equal(
      DeviceCredentialsCodec.decode(world.sealer.openString(row.credentials_sealed, deviceSealAad(tenantId, id)))
        .password,
      password,
    );
    const audit = await world.db
      .selectFrom("audit_events")
      .selectAll()
      .where("target_id", "=", id)
      .where("action", "=", "device.updated")
      .executeTakeFirstOrThrow();
    assert.deepEqual(audit.detail.fields, ["credentials", "port"]);
    assert.ok(!JSON.stringify(audit).includes(password));
    assert.equal((await call("PATCH", `/api/tenants/${tenantId}/devices/${id}`, operator, {})).status, 400);
    assert.equal((await call("PATCH", `/api/tenants/${tenantId}/devices/${id}`, viewer, { port: 1 })).status, 403);
  });

  test("ssh-host-key/accept: admin only, must match the observed key, unblocks, audited", async () => {
    const pinned = fingerprint();
    const observed = fingerprint();
    const { id } = await newDevice({ hostKeyFingerprint: pinned });
    await world.db
      .updateTable("devices")
      .set({ blocked_reason: "SSH_HOSTKEY_MISMATCH", blocked_at: new Date(), observed_host_key_fingerprint: observed })
      .where("id", "=", id)
      .execute();
    const path = `/api/tenants/${tenantId}/devices/${id}/ssh-host-key/accept`;
    assert.equal((await call("POST", path, operator, { fingerprint: observed })).status, 403);
    assert.equal((await call("POST", path, admin, { fingerprint: fingerprint() })).status, 409);
    assert.equal((await call("POST", path, admin, { fingerprint: "md5:nope" })).status, 400);
    const res = await call("POST", path, admin, { fingerprint: observed });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      [res.body.hostKey.fingerprint, res.body.hostKey.observedFingerprint, res.body.backup.blockedReason],
      [observed, null, null],
    );
    const audit = await world.db
      .selectFrom("audit_events")
      .selectAll()
      .where("target_id", "=", id)
      .where("action", "=", "device.host_key_accepted")
      .executeTakeFirstOrThrow();
    assert.deepEqual(audit.detail, { previous: pinned, accepted: observed, unblocked: true });
    assert.notEqual(audit.actor, "system");
  });

  test("list pages newest first with a cursor; delete answers 204 then 404", async () => {
    const other = await gw.createTenant();
    const otherAdmin = await gw.createToken(other, "admin");
    const names = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await gw.request("POST", `/api/tenants/${other}/devices`, {
        token: otherAdmin,
        body: { name: `p${i}`, host: "h", credentials: { username: "u", password: "p" } },
      });
      names.add(res.body.id);
    }
    const got: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : "";
      const page = await gw.request("GET", `/api/tenants/${other}/devices?limit=2${query}`, { token: otherAdmin });
      assert.equal(page.status, 200);
      got.push(...page.body.items.map((d: { id: string }) => d.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(new Set(got), names);
    assert.equal(got.length, 5);
    assert.equal(
      (await gw.request("GET", `/api/tenants/${other}/devices?cursor=bogus`, { token: otherAdmin })).status,
      400,
    );

    const [first] = got;
    assert.equal(
      (await gw.request("DELETE", `/api/tenants/${other}/devices/${first}`, { token: otherAdmin })).status,
      204,
    );
    assert.equal(
      (await gw.request("GET", `/api/tenants/${other}/devices/${first}`, { token: otherAdmin })).status,
      404,
    );
  });

  test("another tenant's devices answer 404 on every device route", async () => {
    const { id } = await newDevice();
    const stranger = await gw.createTenant();
    const strangerAdmin = await gw.createToken(stranger, "admin");
    const fp = { fingerprint: fingerprint() };
    const routes: [string, string, unknown?][] = [
      ["GET", `/api/tenants/${tenantId}/devices`],
      [
        "POST",
        `/api/tenants/${tenantId}/devices`,
        { name: "x", host: "h", credentials: { username: "u", password: "p" } },
      ],
      ["GET", `/api/tenants/${tenantId}/devices/${id}`],
      ["PATCH", `/api/tenants/${tenantId}/devices/${id}`, { port: 23 }],
      ["DELETE", `/api/tenants/${tenantId}/devices/${id}`],
      ["POST", `/api/tenants/${tenantId}/devices/${id}/ssh-host-key/accept`, fp],
      [
        "POST",
        `/api/tenants/${tenantId}/devices/import`,
        { devices: [{ name: "x", host: "h", username: "u", password: "p" }] },
      ],
      ["GET", `/api/tenants/${tenantId}/audit-events`],
      // Their tenant id, our device id:
      ["GET", `/api/tenants/${stranger}/devices/${id}`],
      ["PATCH", `/api/tenants/${stranger}/devices/${id}`, { port: 23 }],
      ["DELETE", `/api/tenants/${stranger}/devices/${id}`],
      ["POST", `/api/tenants/${stranger}/devices/${id}/ssh-host-key/accept`, fp],
    ];
    for (const [method, path, body] of routes) {
      const res = await call(method, path, strangerAdmin, body);
      assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
    }
    assert.equal((await call("GET", `/api/tenants/${tenantId}/devices/${id}`, viewer)).status, 200);
  });
});
