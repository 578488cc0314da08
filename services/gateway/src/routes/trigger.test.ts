import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { TriggerReplyCodec, TriggerRequestCodec } from "@netledger/contracts";
import type { SimDevice } from "@netledger/device-sim";
import { freePort, SIM_FAILURE_CODES, startServiceProcess, until, type World } from "@netledger/testkit";
import { type FlowHarness, startFlowHarness } from "../../test/backup-flow-harness.js";
import type { TestGateway } from "../../test/harness.js";
import { loadBackupTarget } from "../trigger/device-target.js";

const GATEWAY_MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

/** The gateway as production runs it (`main.ts`, environment only), on the harness world; stopped with it. */
async function startGatewayProcess(h: FlowHarness): Promise<string> {
  const [port, ops] = [await freePort(), await freePort()];
  const gateway = startServiceProcess(GATEWAY_MAIN, {
    ...process.env,
    ...h.world.env(),
    GATEWAY_PORT: String(port),
    OPS_PORT: String(ops),
  });
  h.onClose(async () => {
    gateway.child.kill("SIGTERM");
    await gateway.exited;
  });
  await gateway.waitForHttp(port, "/healthz", 200);
  return `http://127.0.0.1:${port}`;
}

const triggerPath = (tenantId: string, deviceId: string) =>
  `/api/tenants/${tenantId}/devices/${deviceId}/config-snapshot/trigger`;

const FAILURES = SIM_FAILURE_CODES;

describe("POST …/config-snapshot/trigger with collectors and simulated devices", { timeout: 180_000 }, () => {
  let h: FlowHarness;
  let gw: TestGateway;
  let tenantId: string;
  let operator: string;
  before(async () => {
    h = await startFlowHarness({ fleet: { count: FAILURES.length + 6, oversizeBytes: 3 * 1024 * 1024 } });
    await h.collector({ env: { EXPORT_MAX_BYTES: String(1024 * 1024), COLLECTOR_CONCURRENCY: "16" } });
    // A high limit here; the 429 test runs its own gateways with the default of 10.
    gw = await h.gateway({
      TRIGGER_INGEST_WAIT_MS: "200",
      TRIGGER_TIMEOUT_MS: "20000",
      TRIGGER_RATE_LIMIT_PER_MINUTE: "10000",
    });
    tenantId = await gw.createTenant();
    operator = await gw.createToken(tenantId, "operator");
  });
  after(() => h?.close());

  const sim = (i: number) => h.fleet.devices[i]!;

  it("201: sha256, changed, not yet stored without an ingestor, timings; audited with the token id", async () => {
    const device = await h.addDevice(tenantId, sim(0));
    const res = await gw.request("POST", triggerPath(tenantId, device.id), { token: operator });
    assert.equal(res.status, 201, res.text);
    assert.match(res.body.sha256, /^[0-9a-f]{64}$/);
    assert.equal(res.body.deviceId, device.id);
    assert.equal(res.body.changed, true, "no version stored before: changed");
    assert.equal(res.body.stored, false);
    assert.equal(res.body.snapshotId, null);
    assert.ok(res.body.timings.totalMs > 0 && res.body.timings.gatewayMs >= res.body.timings.requestMs);

    const audit = await h.world.db
      .selectFrom("audit_events")
      .select(["actor", "target_id", "detail"])
      .where("tenant_id", "=", tenantId)
      .where("action", "=", "config_backup_manual_trigger")
      .execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.target_id, device.id);
    const actor = await h.world.db
      .selectFrom("api_tokens")
      .select("role")
      .where("id", "=", audit[0]!.actor)
      .executeTakeFirst();
    assert.equal(actor?.role, "operator", "the actor is the calling token's id");
    assert.deepEqual(audit[0]?.detail, { requestId: res.body.requestId, outcome: "success", sha256: res.body.sha256 });
  });

  it("409 DEVICE_LOCKED for the second of two concurrent triggers of one device", async () => {
    const device = await h.addDevice(tenantId, sim(1));
    await sim(1).setFailure("slow");
    try {
      const [a, b] = await Promise.all([
        gw.request("POST", triggerPath(tenantId, device.id), { token: operator }),
        gw.request("POST", triggerPath(tenantId, device.id), { token: operator }),
      ]);
      assert.deepEqual([a.status, b.status].sort(), [201, 409]);
      const conflict = a.status === 409 ? a : b;
      assert.equal(conflict.body.code, "DEVICE_LOCKED");
      assert.match(conflict.headers.get("content-type") ?? "", /application\/problem\+json/);
    } finally {
      await sim(1).setFailure(null);
    }
  });

  it("502 with the stable code of each device failure mode, never a secret", async () => {
    const cases = await Promise.all(
      FAILURES.map(async ([mode, codes], i) => {
        const device = sim(6 + i);
        const row = await h.addDevice(tenantId, device, { host_key_fingerprint: device.hostKeyFingerprint });
        await device.setFailure(mode);
        return { mode, codes, device, row };
      }),
    );
    const responses = await Promise.all(
      cases.map((c) => gw.request("POST", triggerPath(tenantId, c.row.id), { token: operator })),
    );
    for (const [i, c] of cases.entries()) {
      const res = responses[i]!;
      assert.equal(res.status, 502, `${c.mode}: ${res.text}`);
      assert.ok(c.codes.includes(res.body.code), `${c.mode}: got ${res.body.code}`);
      assert.ok(!res.text.includes(c.device.password), `${c.mode}: no password in the answer`);
    }
  });

  it("504 COLLECTOR_TIMEOUT when the collector does not answer within TRIGGER_TIMEOUT_MS", async () => {
    const hanging = await h.addDevice(tenantId, sim(2));
    await sim(2).setFailure("hang");
    try {
      const impatient = await h.gateway({ TRIGGER_TIMEOUT_MS: "500", TRIGGER_RATE_LIMIT_PER_MINUTE: "10000" });
      const res = await impatient.request("POST", triggerPath(tenantId, hanging.id), { token: operator });
      assert.equal(res.status, 504, res.text);
      assert.equal(res.body.code, "COLLECTOR_TIMEOUT");
    } finally {
      await sim(2).setFailure(null);
    }
  });

  it("404 for another tenant's device and unknown devices; 403 for a viewer", async () => {
    const device = await h.addDevice(tenantId, sim(3));
    const otherTenant = await gw.createTenant();
    const otherOperator = await gw.createToken(otherTenant, "operator");
    const otherDevice = await h.addDevice(otherTenant, sim(3));
    const viewer = await gw.createToken(tenantId, "viewer");
    const sessions = sim(3).stats.sessions;

    const cases = [
      [otherOperator, triggerPath(tenantId, device.id)],
      [otherOperator, triggerPath(otherTenant, device.id)],
      [operator, triggerPath(tenantId, otherDevice.id)],
      [operator, triggerPath(tenantId, randomUUID())],
    ] as const;
    for (const [token, path] of cases) {
      const res = await gw.request("POST", path, { token });
      assert.equal(res.status, 404, `${path}: ${res.text}`);
      assert.equal(res.body.code, "NOT_FOUND");
    }
    const forbidden = await gw.request("POST", triggerPath(tenantId, device.id), { token: viewer });
    assert.equal(forbidden.status, 403);
    assert.equal(sim(3).stats.sessions, sessions, "no backup ran");
  });

  it("429 with RateLimit and Retry-After on the 11th trigger in a minute, counted across two gateway processes", async () => {
    const token = await gw.createToken(tenantId, "operator");
    const [first, second] = await Promise.all([startGatewayProcess(h), startGatewayProcess(h)]);
    const trigger = (url: string, bearer = token) =>
      fetch(`${url}${triggerPath(tenantId, randomUUID())}`, {
        method: "POST",
        headers: { authorization: `Bearer ${bearer}` },
      });
    for (let i = 0; i < 10; i++) {
      const res = await trigger(i % 2 ? second : first);
      assert.equal(res.status, 404, `request ${i + 1} is within the limit`);
    }
    const limited = await trigger(second);
    assert.equal(limited.status, 429);
    assert.equal(((await limited.json()) as { code: string }).code, "RATE_LIMITED");
    assert.match(limited.headers.get("ratelimit") ?? "", /\br=0\b/);
    assert.ok(limited.headers.get("ratelimit-policy"));
    assert.ok(Number(limited.headers.get("retry-after")) > 0);
    const fresh = await gw.createToken(tenantId, "operator");
    assert.equal((await trigger(first, fresh)).status, 404, "another token has its own count");
  });

  it("Idempotency-Key: a retry answers the first result without collecting; concurrent uses collect once", async () => {
    const device = await h.addDevice(tenantId, sim(4));
    const key = randomUUID();
    const headers = { "idempotency-key": key };
    const first = await gw.request("POST", triggerPath(tenantId, device.id), { token: operator, headers });
    assert.equal(first.status, 201, first.text);
    const sessions = sim(4).stats.sessions;
    sim(4).changeConfig({ op: "add", section: "/system identity", line: "set name=changed-meanwhile" });

    const retry = await gw.request("POST", triggerPath(tenantId, device.id), { token: operator, headers });
    assert.equal(retry.status, 201);
    assert.deepEqual(retry.body, first.body, "the first answer, byte for byte");
    assert.equal(retry.headers.get("idempotent-replayed"), "true");
    assert.equal(sim(4).stats.sessions, sessions, "nothing collected again");

    const other = await h.addDevice(tenantId, sim(5));
    const reused = await gw.request("POST", triggerPath(tenantId, other.id), { token: operator, headers });
    assert.equal(reused.status, 422);
    assert.equal(reused.body.code, "IDEMPOTENCY_KEY_REUSED");

    const malformed = await gw.request("POST", triggerPath(tenantId, other.id), {
      token: operator,
      headers: { "idempotency-key": "two words" },
    });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.code, "VALIDATION_FAILED");
    assert.deepEqual(
      malformed.body.errors.map((e: { location: string; path: string }) => [e.location, e.path]),
      [["header", "Idempotency-Key"]],
    );
    assert.ok(!malformed.text.includes("two words"), "the received value is not echoed");

    await sim(5).setFailure("slow");
    try {
      const before = sim(5).stats.sessions;
      const concurrent = { "idempotency-key": randomUUID() };
      const [a, b] = await Promise.all([
        gw.request("POST", triggerPath(tenantId, other.id), { token: operator, headers: concurrent }),
        gw.request("POST", triggerPath(tenantId, other.id), { token: operator, headers: concurrent }),
      ]);
      assert.deepEqual([a.status, b.status].sort(), [201, 409]);
      assert.equal((a.status === 409 ? a : b).body.code, "IDEMPOTENCY_KEY_IN_USE");
      assert.equal(sim(5).stats.sessions, before + 1, "one backup for both");
    } finally {
      await sim(5).setFailure(null);
    }
  });
});

describe("POST …/config-snapshot/trigger without collectors, then with a full one", { timeout: 60_000 }, () => {
  let h: FlowHarness;
  let gw: TestGateway;
  before(async () => {
    h = await startFlowHarness({ fleet: { count: 3 } });
    gw = await h.gateway();
  });
  after(() => h?.close());

  it("503 NO_COLLECTOR when none runs; 503 COLLECTOR_BUSY with Retry-After when the collector is busy", async () => {
    const tenantId = await gw.createTenant();
    const operator = await gw.createToken(tenantId, "operator");
    const device = await h.addDevice(tenantId, h.fleet.devices[0]!);

    const none = await gw.request("POST", triggerPath(tenantId, device.id), { token: operator });
    assert.equal(none.status, 503, none.text);
    assert.equal(none.body.code, "NO_COLLECTOR");

    // A collector whose trigger queue is full answers "busy" (contract `TriggerReply` kind busy).
    const world: World = h.world;
    const busy = world.nc.subscribe(world.wire.subjects.trigger, {
      queue: world.wire.queueGroups.collectors,
      callback: (_err, msg) => {
        const { requestId } = TriggerRequestCodec.decode(msg.data);
        msg.respond(TriggerReplyCodec.encode({ kind: "busy", requestId, retryAfterMs: 2_500 }));
      },
    });
    try {
      await world.nc.flush();
      const res = await gw.request("POST", triggerPath(tenantId, device.id), { token: operator });
      assert.equal(res.status, 503, res.text);
      assert.equal(res.body.code, "COLLECTOR_BUSY");
      assert.equal(res.headers.get("retry-after"), "3");
      assert.equal(h.fleet.devices[0]!.stats.sessions, 0);
    } finally {
      busy.unsubscribe();
    }
  });

  it("503 COLLECTOR_BUSY from a real collector whose one session and one queue place are taken", async () => {
    await h.collector({
      env: { COLLECTOR_CONCURRENCY: "1", COLLECTOR_TRIGGER_QUEUE_MAX: "1", SSH_COMMAND_TIMEOUT_MS: "3000" },
    });
    const tenantId = await gw.createTenant();
    const operator = await gw.createToken(tenantId, "operator");
    const [hanging, waiting, third] = h.fleet.devices as [SimDevice, SimDevice, SimDevice];
    const [a, b, c] = await Promise.all([hanging, waiting, third].map((sim) => h.addDevice(tenantId, sim)));
    await hanging.setFailure("hang");
    try {
      const first = gw.request("POST", triggerPath(tenantId, a!.id), { token: operator });
      await until("the one session is taken", () => hanging.stats.sessions > 0);
      // The gateway shares this connection: the waiting request reaches the collector before the next trigger.
      const target = await loadBackupTarget(h.world.db, tenantId, b!.id);
      const queued = h.world.nc.request(
        h.world.wire.subjects.trigger,
        TriggerRequestCodec.encode({
          requestId: randomUUID(),
          tenantId,
          deviceId: b!.id,
          device: target!.device!,
          requestedAt: new Date().toISOString(),
        }),
        { timeout: 30_000 },
      );
      const res = await gw.request("POST", triggerPath(tenantId, c!.id), { token: operator });
      assert.equal(res.status, 503, res.text);
      assert.equal(res.body.code, "COLLECTOR_BUSY");
      assert.ok(Number(res.headers.get("retry-after")) >= 1);
      assert.equal(third.stats.sessions, 0, "nothing started for the busy answer");
      assert.equal((await first).status, 502, "the hanging device times out");
      assert.equal(TriggerReplyCodec.decode((await queued).data).kind, "success", "the waiting one ran next");
    } finally {
      await hanging.setFailure(null);
    }
  });
});
