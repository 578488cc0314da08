import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { SnapshotEventCodec } from "@netledger/contracts";
import { sql } from "kysely";
import { type FlowHarness, startFlowHarness } from "../../test/backup-flow-harness.js";
import type { ApiResponse, TestGateway } from "../../test/harness.js";

const SECRET = "TopSecret-e2e-42";
const ADDED_ADDRESS = "add address=198.51.100.7/24 comment=e2e-added interface=ether1";

/**
 * End to end over HTTP with the collector (in-process), the ingestor (its own process) and the
 * device simulator: trigger, change the device, trigger, read the history, both diffs, the
 * download, and a bulk backup's progress.
 */
describe("backup and history flow over HTTP", { timeout: 240_000 }, () => {
  let h: FlowHarness;
  let gw: TestGateway;
  let tenantId: string;
  let operator: string;
  let admin: string;
  let deviceId: string;
  const base = () => `/api/tenants/${tenantId}/devices/${deviceId}`;
  const sim = (i: number) => h.fleet.devices[i]!;

  before(async () => {
    h = await startFlowHarness({ fleet: { count: 3 } });
    await h.collector();
    await h.ingestor();
    gw = await h.gateway({ TRIGGER_INGEST_WAIT_MS: "20000", TRIGGER_RATE_LIMIT_PER_MINUTE: "1000" });
    tenantId = await gw.createTenant();
    operator = await gw.createToken(tenantId, "operator");
    admin = await gw.createToken(tenantId, "admin");
    deviceId = (await h.addDevice(tenantId, sim(0))).id;
  });
  after(() => h?.close());

  const trigger = async (): Promise<ApiResponse> => {
    const res = await gw.request("POST", `${base()}/config-snapshot/trigger`, { token: operator });
    assert.equal(res.status, 201, res.text);
    return res;
  };

  let first: ApiResponse;
  let second: ApiResponse;

  it("trigger → 201 stored; change the device; trigger → 201 changed; again → 201 unchanged", async () => {
    first = await trigger();
    assert.equal(first.body.stored, true, "the ingestor confirmed the snapshot");
    assert.equal(first.body.changed, true);
    assert.equal(first.body.seq, 1);
    assert.match(first.body.snapshotId, /^[0-9a-f-]{36}$/);

    sim(0).changeConfig({ op: "add", section: "/ip address", line: ADDED_ADDRESS });
    sim(0).changeConfig({
      op: "add",
      section: "/ppp secret",
      line: `add name=vpn-e2e password=${SECRET} service=pptp`,
    });
    second = await trigger();
    assert.equal(second.body.changed, true);
    assert.equal(second.body.stored, true);
    assert.equal(second.body.seq, 2);
    assert.notEqual(second.body.sha256, first.body.sha256);

    const third = await trigger();
    assert.equal(third.body.changed, false);
    assert.equal(third.body.snapshotId, second.body.snapshotId, "unchanged: the latest version");
    // The gateway named the latest version's sha256, so the unchanged text never left the collector.
    const jsm = await jetstreamManager(h.world.nc);
    const subject = h.world.wire.subjects.snapshot(tenantId, deviceId);
    const last = await jsm.streams.getMessage(h.world.wire.streams.snapshots.name, { last_by_subj: subject });
    assert.ok(last, "the third snapshot is on the stream");
    const event = SnapshotEventCodec.decode(last.data);
    assert.equal(event.msgId, `trigger:${third.body.requestId}`);
    assert.deepEqual(event.content, { kind: "stored" });
  });

  it("the timeline shows the change with path and summary, newest first, in cursor pages", async () => {
    const all = await gw.request("GET", `${base()}/config-history`, { token: operator });
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(
      all.body.items.map((v: { seq: number }) => v.seq),
      [2, 1],
    );
    const latest = all.body.items[0];
    assert.equal(latest.previousSnapshotId, first.body.snapshotId);
    const added = latest.changes.find((c: { path: string }) => c.path === "/ip address");
    assert.ok(added, JSON.stringify(latest.changes));
    assert.equal(added.kind, "added");
    assert.ok(added.summary.length > 0);
    assert.ok(!all.text.includes(SECRET), "no secret in the timeline");

    const page1 = await gw.request("GET", `${base()}/config-history?limit=1`, { token: operator });
    assert.equal(page1.body.items.length, 1);
    assert.ok(page1.body.nextCursor);
    const page2 = await gw.request("GET", `${base()}/config-history?limit=1&cursor=${page1.body.nextCursor}`, {
      token: operator,
    });
    assert.deepEqual(
      page2.body.items.map((v: { seq: number }) => v.seq),
      [1],
    );
    assert.equal(page2.body.nextCursor, null);

    const snapshots = await gw.request("GET", `${base()}/snapshots`, { token: operator });
    assert.deepEqual(
      snapshots.body.items.map((v: { snapshotId: string }) => v.snapshotId),
      [second.body.snapshotId, first.body.snapshotId],
    );
  });

  it("both diff endpoints show the change, redacted", async () => {
    const previous = await gw.request("GET", `${base()}/snapshots/${second.body.snapshotId}/diff`, { token: operator });
    assert.equal(previous.status, 200, previous.text);
    assert.equal(previous.body.from.id, first.body.snapshotId);
    assert.equal(previous.body.to.id, second.body.snapshotId);
    assert.match(previous.body.unified, /198\.51\.100\.7/);
    assert.ok(previous.body.added >= 2);
    assert.ok(previous.body.changes.some((c: { path: string }) => c.path === "/ip address"));
    assert.ok(!previous.text.includes(SECRET));

    const between = await gw.request(
      "GET",
      `${base()}/diff?from=${first.body.snapshotId}&to=${second.body.snapshotId}`,
      { token: operator },
    );
    assert.equal(between.status, 200, between.text);
    assert.deepEqual(between.body, previous.body, "one diff function behind both");

    const firstDiff = await gw.request("GET", `${base()}/snapshots/${first.body.snapshotId}/diff`, { token: operator });
    assert.equal(firstDiff.body.from, null, "the first version: everything added");
    assert.ok(firstDiff.body.added > 0);
  });

  it("a snapshot is redacted by default; reveal=secrets is admin only and audited; download is the export", async () => {
    const path = `${base()}/snapshots/${second.body.snapshotId}`;
    const redacted = await gw.request("GET", path, { token: operator });
    assert.equal(redacted.status, 200);
    assert.equal(redacted.body.redacted, true);
    assert.match(redacted.body.content, /198\.51\.100\.7/);
    assert.ok(!redacted.text.includes(SECRET));

    const denied = await gw.request("GET", `${path}?reveal=secrets`, { token: operator });
    assert.equal(denied.status, 403);
    const revealed = await gw.request("GET", `${path}?reveal=secrets`, { token: admin });
    assert.equal(revealed.status, 200);
    assert.equal(revealed.body.redacted, false);
    assert.ok(revealed.body.content.includes(SECRET));
    const audit = await h.world.db
      .selectFrom("audit_events")
      .select(["target_id"])
      .where("tenant_id", "=", tenantId)
      .where("action", "=", "config_snapshot_secrets_revealed")
      .execute();
    assert.deepEqual(audit, [{ target_id: second.body.snapshotId }]);

    const download = await gw.request("GET", `${path}/download`, { token: operator });
    assert.equal(download.status, 200);
    assert.match(download.headers.get("content-type") ?? "", /^text\/plain/);
    assert.match(
      download.headers.get("content-disposition") ?? "",
      new RegExp(`^attachment; filename="router-${sim(0).name}-\\d{8}T\\d{6}Z\\.rsc"$`),
    );
    assert.equal(download.body, redacted.body.content);
    assert.match(download.body, /^\/ip address/m);
  });

  it("another tenant's token gets 404 on every history route", async () => {
    const other = await gw.createTenant();
    const stranger = await gw.createToken(other, "admin");
    const sid = second.body.snapshotId;
    for (const path of [
      `${base()}/config-history`,
      `${base()}/snapshots`,
      `${base()}/snapshots/${sid}`,
      `${base()}/snapshots/${sid}/download`,
      `${base()}/snapshots/${sid}/diff`,
      `${base()}/diff?from=${first.body.snapshotId}&to=${sid}`,
      `/api/tenants/${other}/devices/${deviceId}/snapshots/${sid}`,
    ]) {
      const res = await gw.request("GET", path, { token: stranger });
      assert.equal(res.status, 404, path);
    }
  });

  it("a bulk backup enqueues jobs and reports each device: unchanged, succeeded, failed with its code", async () => {
    const fresh = await h.addDevice(tenantId, sim(1));
    const broken = await h.addDevice(tenantId, sim(2));
    await sim(2).setFailure("auth-fail");
    const started = await gw.request("POST", `/api/tenants/${tenantId}/backups`, { token: operator, body: {} });
    assert.equal(started.status, 202, started.text);
    assert.equal(started.body.deviceCount, 3);
    const progressPath = `/api/tenants/${tenantId}/backups/${started.body.batchId}`;
    assert.equal(started.headers.get("location"), progressPath);

    let progress!: ApiResponse;
    const deadline = Date.now() + 60_000;
    do {
      progress = await gw.request("GET", progressPath, { token: operator });
      assert.equal(progress.status, 200, progress.text);
      if (progress.body.done) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } while (Date.now() < deadline);
    assert.equal(progress.body.done, true, progress.text);
    const byDevice = new Map(
      progress.body.devices.map((d: { deviceId: string; status: string; code: string | null }) => [
        d.deviceId,
        [d.status, d.code],
      ]),
    );
    assert.deepEqual(byDevice.get(deviceId), ["unchanged", null]);
    assert.deepEqual(byDevice.get(fresh.id), ["succeeded", null]);
    assert.deepEqual(byDevice.get(broken.id), ["failed", "SSH_AUTH_FAILED"]);
    assert.deepEqual(progress.body.counts, { pending: 0, succeeded: 1, unchanged: 1, failed: 1 });

    const filtered = await gw.request("POST", `/api/tenants/${tenantId}/backups`, {
      token: operator,
      body: { filter: { deviceIds: [fresh.id] } },
    });
    assert.equal(filtered.body.deviceCount, 1);

    const other = await gw.createTenant();
    const stranger = await gw.createToken(other, "admin");
    assert.equal((await gw.request("GET", progressPath, { token: stranger })).status, 404);
    assert.equal(
      (await gw.request("GET", `/api/tenants/${other}/backups/${started.body.batchId}`, { token: stranger })).status,
      404,
    );
  });

  it("a trigger whose export lost its tail answers 502 EXPORT_TRUNCATED (held back); the re-collection stores it", async () => {
    sim(0).changeConfig({ op: "add", section: "/zz-tail", line: "add name=tail-kept" });
    sim(0).changeConfig({ op: "add", section: "/zz-tail", line: "add name=tail-dropped" });
    const grown = await trigger();
    assert.equal(grown.body.changed, true);
    const versions = async () =>
      (await gw.request("GET", `${base()}/config-history`, { token: operator })).body.items.map(
        (v: { seq: number }) => v.seq,
      ) as number[];
    const before = await versions();

    // The device really lost its last entry: exactly what a cut between two lines looks like.
    sim(0).changeConfig({ op: "remove", match: "add name=tail-dropped" });
    const held = await gw.request("POST", `${base()}/config-snapshot/trigger`, { token: operator });
    assert.equal(held.status, 502, held.text);
    assert.equal(held.body.code, "EXPORT_TRUNCATED");
    assert.match(held.body.detail, /held back/);
    assert.deepEqual(await versions(), before, "nothing stored on one read");

    // The ingestor's one re-collection job reads it again and stores what it shows.
    const deadline = Date.now() + 30_000;
    let after = before;
    while (after.length === before.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await versions();
    }
    assert.equal(after.length, before.length + 1, "the re-collected version is stored");
  });

  it("DELETE tenant: the name must be confirmed; then nothing of the tenant is left in any table", async () => {
    const path = `/api/tenants/${tenantId}`;
    assert.equal((await gw.request("DELETE", `${path}?confirm=x`, { token: admin })).status, 403, "platform only");
    const unconfirmed = await gw.request("DELETE", path, { token: gw.bootstrapToken });
    assert.equal(unconfirmed.status, 400);
    assert.equal(unconfirmed.body.code, "VALIDATION_FAILED");
    const wrong = await gw.request("DELETE", `${path}?confirm=not-its-name`, { token: gw.bootstrapToken });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.errors[0].path, "confirm");

    const { db } = h.world;
    const devices = await db.selectFrom("devices").select("id").where("tenant_id", "=", tenantId).execute();
    const deviceIds = devices.map((d) => d.id);
    const owned = async (): Promise<Record<string, number>> => {
      const columns = await sql<{ table_name: string; column_name: string }>`
        select table_name, column_name from information_schema.columns
        where table_schema = 'public' and column_name in ('tenant_id', 'device_id')`.execute(db);
      const counts: Record<string, number> = {};
      for (const { table_name, column_name } of columns.rows) {
        const ids = column_name === "tenant_id" ? [tenantId] : deviceIds;
        const { rows } = await sql<{ n: string }>`
          select count(*) as n from ${sql.table(table_name)} where ${sql.ref(column_name)}::text = any(${ids})`.execute(
          db,
        );
        counts[`${table_name}.${column_name}`] = Number(rows[0]?.n);
      }
      return counts;
    };
    const before = await owned();
    assert.ok((before["config_snapshots.tenant_id"] ?? 0) > 0 && (before["audit_events.tenant_id"] ?? 0) > 0);

    const name = (await gw.request("GET", path, { token: gw.bootstrapToken })).body.name as string;
    const deleted = await gw.request("DELETE", `${path}?confirm=${encodeURIComponent(name)}`, {
      token: gw.bootstrapToken,
    });
    assert.equal(deleted.status, 204, deleted.text);
    const after = await owned();
    assert.deepEqual(
      Object.entries(after).filter(([, n]) => n > 0),
      [],
      "every row of the tenant is gone",
    );
    assert.equal((await gw.request("GET", path, { token: gw.bootstrapToken })).status, 404);
    assert.equal((await gw.request("GET", `${path}/devices`, { token: admin })).status, 401, "its tokens are gone");
    assert.equal(
      (await gw.request("DELETE", `${path}?confirm=${encodeURIComponent(name)}`, { token: gw.bootstrapToken })).status,
      404,
    );
  });
});
