import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { JsMsg } from "@nats-io/jetstream";
import { BackupJobCodec, IngestedEventCodec } from "@netledger/contracts";
import { sha256Hex } from "@netledger/drivers";
import { createLogger, createMetricsRegistry } from "@netledger/platform";
import { createWorld, type World } from "@netledger/testkit";
import { sql } from "kysely";
import { streamMessages, worldConfig } from "../../test/harness.js";
import {
  type FleetDevice,
  publishSnapshotEvent,
  seedFleet,
  snapshotEvent,
  syntheticConfig,
} from "../../test/messages.js";
import type { IngestContext } from "../consumer/context.js";
import { createIngestContext } from "../ingestion.js";
import { findReceipt } from "./receipts.js";
import { handleSnapshotBatch } from "./snapshot-batch.js";
import { handleSnapshotMessage } from "./snapshot-handler.js";

const OTHER_FINGERPRINT = `SHA256:${"B".repeat(43)}`;

/** How a test message was settled, and whether its receipt was visible when it was acked. */
interface Settlement {
  kind: "ack" | "nak" | "term";
  committed?: Promise<boolean>;
}

describe("snapshot batches", { timeout: 180_000 }, () => {
  let world: World;
  let ctx: IngestContext;
  before(async () => {
    world = await createWorld({ redis: false });
    ctx = await createIngestContext({
      config: worldConfig(world),
      wire: world.wire,
      nc: world.nc,
      db: world.db,
      logger: createLogger({ name: "ingestor", level: "silent" }),
      registry: createMetricsRegistry("ingestor"),
    });
  });
  after(() => world?.close());

  /** Stream sequence → label and msg id of each test message. */
  type Published = Map<number, { label: string; msgId?: string }>;

  async function lastSeq(): Promise<number> {
    const jsm = await ctx.js.jetstreamManager();
    return (await jsm.streams.info(world.wire.streams.snapshots.name)).state.last_seq;
  }

  /**
   * The next `count` messages of the ingestor's durable consumer; their settlements are recorded
   * by label, with (for an ack) whether the message's receipt was committed when it was acked.
   */
  async function fetch(count: number, published: Published, settled: Map<string, Settlement>) {
    const consumer = await ctx.js.consumers.get(
      world.wire.streams.snapshots.name,
      world.wire.consumers.ingestorSnapshots.durable_name,
    );
    const out: JsMsg[] = [];
    while (out.length < count) {
      const batch = await consumer.fetch({ max_messages: count - out.length, expires: 2_000 });
      for await (const msg of batch) out.push(msg);
    }
    return out.map((msg) => {
      const { label, msgId } = published.get(msg.info.streamSequence) ?? { label: `seq ${msg.info.streamSequence}` };
      const record = (kind: Settlement["kind"]) => {
        const committed =
          kind === "ack" && msgId
            ? findReceipt(world.db, "snapshots", msgId).then((receipt) => receipt !== undefined)
            : undefined;
        settled.set(label, committed ? { kind, committed } : { kind });
      };
      return new Proxy(msg, {
        get: (target, prop) => {
          if (prop === "ack" || prop === "nak" || prop === "term") {
            return (...args: unknown[]) => {
              record(prop);
              return (Reflect.get(target, prop, target) as (...a: unknown[]) => unknown).apply(target, args);
            };
          }
          return Reflect.get(target, prop, target);
        },
      });
    });
  }

  /**
   * One fleet's messages: warm-up versions ingested one by one, then a mix handled either as ONE
   * batch or one by one. Returns everything they wrote, with ids replaced by labels.
   */
  async function runFleet(mode: "batch" | "one-by-one") {
    const devices = await seedFleet(world.db, 11);
    const js = ctx.js;
    const labels = new Map<string, string>(devices.map((d, i) => [d.deviceId, `dev${i}`]));
    labels.set(devices[0]!.tenantId, "tenant");
    const published: Published = new Map();
    const settled = new Map<string, Settlement>();
    let last = await lastSeq();
    const publish = async (
      label: string,
      device: FleetDevice,
      text: string,
      options: {
        msgId?: string;
        jobId?: string;
        natsMsgId?: string;
        fingerprint?: string;
        sha256?: string;
        stored?: boolean;
      } = {},
    ) => {
      const msgId = options.msgId ?? `m:${randomUUID()}`;
      if (!labels.has(msgId)) labels.set(msgId, label);
      const event = await snapshotEvent(world.sealer, world.wire, device, text, {
        msgId,
        ...(options.jobId && { jobId: options.jobId }),
        ...(options.fingerprint && { hostKeyFingerprint: options.fingerprint }),
        ...(options.stored && { storedReference: true }),
      });
      if (options.jobId) labels.set(options.jobId, `job ${label}`);
      const sent = options.sha256 ? { ...event, sha256: options.sha256 } : event;
      await publishSnapshotEvent(js, world.wire, sent, options.natsMsgId);
      published.set(++last, { label, msgId });
      return msgId;
    };
    const v = (variant: number) => syntheticConfig({ bytes: 3_000, variant });
    const job = () => `j:${randomUUID()}`;

    const warm: string[] = [];
    for (const i of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      warm.push(await publish(`warm dev${i}`, devices[i]!, v(0), { jobId: job() }));
    warm.push(await publish("warm dev9 second", devices[9]!, v(1), { jobId: job() }));
    for (const msg of await fetch(warm.length, published, settled)) await handleSnapshotMessage(ctx, msg);

    const truncated = `${v(0).split("\n").slice(0, -4).join("\n")}\n`;
    await publish("dev0 first", devices[0]!, v(0), { jobId: job() });
    await publish("dev1 unchanged", devices[1]!, v(0), { jobId: job() });
    await publish("dev2 changed", devices[2]!, v(1), { jobId: job() });
    const repeated = await publish("dev3 unchanged", devices[3]!, v(0));
    await publish("dev3 changed", devices[3]!, v(2), { jobId: job() });
    await publish("dev3 unchanged copy", devices[3]!, v(0), { msgId: repeated, natsMsgId: `${repeated}#copy` });
    await publish("dev4 redelivered copy", devices[4]!, v(0), { msgId: warm[3]!, natsMsgId: `${warm[3]}#copy` });
    const badSubject = world.wire.subjects.snapshot(devices[5]!.tenantId, devices[5]!.deviceId);
    await js.publish(badSubject, new TextEncoder().encode("{}"));
    published.set(++last, { label: "dev5 bad schema" });
    await publish("dev5 other key", devices[5]!, v(3), { fingerprint: OTHER_FINGERPRINT });
    await publish("dev6 bad sha256", devices[6]!, v(4), { sha256: sha256Hex("something else") });
    await publish("dev6 changed", devices[6]!, v(5));
    await publish("dev7 truncated", devices[7]!, truncated, { jobId: job() });
    await publish("unknown device", { tenantId: devices[0]!.tenantId, deviceId: randomUUID() }, v(0));
    // No content sent (the collector found the job's lastSnapshotSha256): the latest version, an
    // older one (stored again as a new version), and one that no stored version has (read again).
    await publish("dev8 stored latest", devices[8]!, v(0), { jobId: job(), stored: true });
    await publish("dev9 stored older", devices[9]!, v(0), { jobId: job(), stored: true });
    await publish("dev10 stored gone", devices[10]!, v(6), { jobId: job(), stored: true });
    const msgs = await fetch(16, published, settled);
    if (mode === "batch") await handleSnapshotBatch(ctx, msgs);
    else for (const msg of msgs) await handleSnapshotMessage(ctx, msg);

    const label = (id: string) => labels.get(id) ?? id;
    return {
      tenantId: devices[0]!.tenantId,
      settled: await settlements(settled),
      rows: await rowsOf(devices, label),
      events: await eventsOf(devices, label),
    };
  }

  async function settlements(settled: Map<string, Settlement>) {
    const out: Record<string, string> = {};
    for (const [label, { kind, committed }] of [...settled].sort()) {
      out[label] = kind === "ack" ? `ack${(await committed) ? " after commit" : " BEFORE COMMIT"}` : kind;
    }
    return out;
  }

  /** Everything written for the fleet's devices, ids replaced by labels, in a stable order. */
  async function rowsOf(devices: readonly FleetDevice[], label: (id: string) => string) {
    const ids = devices.map((d) => d.deviceId);
    const snapshots = await world.db
      .selectFrom("config_snapshots")
      .select([
        "id",
        "device_id",
        "seq",
        "sha256",
        "source_msg_id",
        sql<boolean>`last_seen_at > collected_at`.as("seen_again"),
      ])
      .where("device_id", "in", ids)
      .orderBy("device_id")
      .orderBy("seq")
      .execute();
    const versionOf = new Map(snapshots.map((s) => [s.id, `${label(s.device_id)} v${s.seq}`]));
    const diffs = await world.db
      .selectFrom("config_diffs")
      .select(["id", "from_snapshot_id", "to_snapshot_id", "added_lines", "removed_lines"])
      .where("device_id", "in", ids)
      .execute();
    const diffOf = new Map(diffs.map((d) => [d.id, `diff to ${versionOf.get(d.to_snapshot_id)}`]));
    const changes = await world.db
      .selectFrom("config_changes")
      .select(["diff_id", "ordinal", "kind", "path", "identity", "summary", "secret_changed"])
      .where("device_id", "in", ids)
      .execute();
    const audits = await world.db
      .selectFrom("audit_events")
      .select(["action", "target_type", "target_id", "detail"])
      .where((eb) =>
        eb.or([
          eb("target_id", "in", [...ids, ...versionOf.keys(), ...(diffs.length ? diffOf.keys() : [])]),
          eb.and([eb("tenant_id", "=", devices[0]!.tenantId), eb("action", "=", "message_dead_lettered")]),
        ]),
      )
      .execute();
    const jobs = await world.db
      .selectFrom("job_outcomes")
      .select(["job_id", "outcome", "error_code", "snapshot_id"])
      .where("device_id", "in", ids)
      .execute();
    const receipts = await world.db
      .selectFrom("ingest_receipts")
      .select(["msg_id", "ingested_event"])
      .where("device_id", "in", ids)
      .execute();
    const status = await world.db
      .selectFrom("devices")
      .select([
        "id",
        "last_backup_at",
        "last_backup_status",
        "last_error_code",
        "consecutive_failures",
        "last_success_at",
        "host_key_fingerprint",
        "host_key_type",
        "software_version",
        "blocked_reason",
        "observed_host_key_fingerprint",
      ])
      .where("id", "in", ids)
      .execute();
    const markers = await sql<{ device_id: string; attempts: number; suspect_msg_id: string }>`
      select device_id, attempts, suspect_msg_id from snapshot_rechecks where device_id = any(${ids}::uuid[])`.execute(
      world.db,
    );
    const named = (id: string | null) => (id === null ? null : (versionOf.get(id) ?? diffOf.get(id) ?? label(id)));
    const relabel = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value), (key, v) => {
        if (key === "ingestedAt" || key === "streamSequence") return "-";
        if (typeof v !== "string") return v;
        if (key === "snapshotId") return named(v);
        if (key === "recheckJobId") return v.replace(/recheck:.*/, "recheck");
        if (key === "rereadJobId") return v.replace(/reread:.*/, "reread");
        return label(v);
      });
    const sorted = <T>(rows: T[]) => rows.map((row) => JSON.stringify(relabel(row))).sort();
    return {
      snapshots: sorted(snapshots.map((s) => ({ ...s, id: named(s.id) }))),
      diffs: sorted(
        diffs.map(({ id, from_snapshot_id, to_snapshot_id, ...d }) => ({
          ...d,
          id: named(id),
          from: named(from_snapshot_id),
          to: named(to_snapshot_id),
        })),
      ),
      changes: sorted(changes.map((c) => ({ ...c, diff_id: named(c.diff_id) }))),
      audits: sorted(audits.map((a) => ({ ...a, target_id: a.target_type === "message" ? "-" : named(a.target_id) }))),
      jobs: sorted(jobs.map((j) => ({ ...j, snapshot_id: named(j.snapshot_id) }))),
      receipts: sorted(receipts),
      status: sorted(
        status.map((s) => ({
          ...s,
          id: label(s.id),
          last_backup_at: !!s.last_backup_at,
          last_success_at: !!s.last_success_at,
        })),
      ),
      markers: sorted(markers.rows),
    };
  }

  async function eventsOf(devices: readonly FleetDevice[], label: (id: string) => string) {
    const all = await streamMessages(world.nc, world.wire, world.wire.subjects.ingestedAll);
    return all
      .map((m) => IngestedEventCodec.decode(m.data))
      .filter((e) => e.tenantId === devices[0]!.tenantId)
      .map((e) => `${label(e.sourceMsgId)}: changed ${e.changed}, seq ${e.seq}, ${JSON.stringify(e.changes)}`)
      .sort();
  }

  it("a batch mixing every kind of message writes exactly the rows one-by-one ingestion writes, acking after commit", async () => {
    const oneByOne = await runFleet("one-by-one");
    const batch = await runFleet("batch");
    const sizes = await ctx.metrics.batchMessages.get();
    const sample = (name: string) => sizes.values.find((v) => v.metricName === name)?.value;
    assert.equal(sample("netledger_ingestor_batch_messages_count"), 1, "one batch observed");
    assert.equal(sample("netledger_ingestor_batch_messages_sum"), 16, "of all 16 messages");
    assert.deepEqual({ ...batch, tenantId: "-" }, { ...oneByOne, tenantId: "-" });

    assert.deepEqual(batch.settled, {
      "dev0 first": "ack after commit",
      "dev1 unchanged": "ack after commit",
      "dev2 changed": "ack after commit",
      "dev3 changed": "ack after commit",
      "dev3 unchanged": "ack after commit",
      "dev3 unchanged copy": "ack after commit",
      "dev4 redelivered copy": "ack after commit",
      "dev5 bad schema": "term",
      "dev5 other key": "ack after commit",
      "dev6 bad sha256": "term",
      "dev6 changed": "ack after commit",
      "dev7 truncated": "ack after commit",
      "dev8 stored latest": "ack after commit",
      "dev9 stored older": "ack after commit",
      "dev10 stored gone": "ack after commit",
      "unknown device": "term",
      "warm dev1": "ack after commit",
      "warm dev2": "ack after commit",
      "warm dev3": "ack after commit",
      "warm dev4": "ack after commit",
      "warm dev5": "ack after commit",
      "warm dev6": "ack after commit",
      "warm dev7": "ack after commit",
      "warm dev8": "ack after commit",
      "warm dev9": "ack after commit",
      "warm dev9 second": "ack after commit",
      "warm dev10": "ack after commit",
    });
    const versions = batch.rows.snapshots.map((row) => JSON.parse(row) as { id: string });
    assert.deepEqual(versions.map((row) => row.id).sort(), [
      "dev0 v1",
      "dev1 v1",
      "dev10 v1",
      "dev2 v1",
      "dev2 v2",
      "dev3 v1",
      "dev3 v2",
      "dev4 v1",
      "dev5 v1",
      "dev6 v1",
      "dev6 v2",
      "dev7 v1",
      "dev8 v1",
      "dev9 v1",
      "dev9 v2",
      "dev9 v3",
    ]);
    assert.equal(batch.rows.markers.length, 1, "the truncated export is held back with a marker");
    assert.ok(batch.rows.changes.length > 0);

    // A reference to the latest is a sighting; to an older version, a new version with its text.
    const version = (id: string) =>
      versions.find((row) => row.id === id) as unknown as { sha256: string; seen_again: boolean };
    assert.equal(version("dev8 v1").seen_again, true);
    assert.equal(version("dev9 v3").sha256, version("dev9 v1").sha256);
    assert.ok(
      batch.rows.diffs.some((diff) => diff.includes('"to":"dev9 v3"')),
      "dev9 v3 has its diff",
    );
    assert.ok(batch.events.some((event) => event.startsWith("dev9 stored older: changed true, seq 3")));
    // A reference to a version that is gone: nothing stored or announced, the job failed, read again.
    assert.ok(!batch.events.some((event) => event.startsWith("dev10 stored gone")));
    assert.ok(
      batch.rows.jobs.some((row) => row.includes('"outcome":"failed","error_code":"STORED_VERSION_GONE"')),
      "the job of dev10's reference failed with STORED_VERSION_GONE",
    );
    assert.ok(batch.rows.audits.some((row) => row.includes('"action":"config_snapshot_reference_gone"')));
    const rereads = (
      await streamMessages(world.nc, world.wire, world.wire.subjects.backupJobs, world.wire.streams.jobs.name)
    )
      .map((m) => BackupJobCodec.decode(m.data))
      .filter((j) => j.jobId.startsWith("reread:") && j.tenantId === batch.tenantId);
    assert.equal(rereads.length, 1, "one re-read job enqueued for the batch's reference");
    const latestOfDev10 = JSON.parse(batch.rows.snapshots.find((row) => row.includes('"id":"dev10 v1"'))!) as {
      sha256: string;
    };
    assert.equal(rereads[0]!.device.lastSnapshotSha256, latestOfDev10.sha256, "naming the latest as it stands");
  });

  it("a batch whose transaction PostgreSQL rejects is ingested one message at a time", async () => {
    const devices = await seedFleet(world.db, 3);
    const published: Published = new Map();
    const settled = new Map<string, Settlement>();
    let last = await lastSeq();
    const send = async (label: string, device: FleetDevice, jobId: string) => {
      const msgId = `m:${randomUUID()}`;
      const event = await snapshotEvent(world.sealer, world.wire, device, syntheticConfig({ bytes: 2_000 }), {
        msgId,
        jobId,
      });
      await publishSnapshotEvent(ctx.js, world.wire, event);
      published.set(++last, { label, msgId });
    };
    for (const [i, device] of devices.entries()) await send(`warm dev${i}`, device, `j:${randomUUID()}`);
    for (const msg of await fetch(devices.length, published, settled)) await handleSnapshotMessage(ctx, msg);
    // One job id on two devices: the batch's one job-outcome upsert cannot touch a row twice.
    const shared = `j:${randomUUID()}`;
    for (const [i, device] of devices.entries()) await send(`dev${i}`, device, i < 2 ? shared : `j:${randomUUID()}`);
    await handleSnapshotBatch(ctx, await fetch(devices.length, published, settled));

    const outcome = await settlements(settled);
    assert.deepEqual([outcome.dev0, outcome.dev1, outcome.dev2], Array(3).fill("ack after commit"));
    const receipts = await world.db
      .selectFrom("ingest_receipts")
      .select("msg_id")
      .where(
        "device_id",
        "in",
        devices.map((d) => d.deviceId),
      )
      .execute();
    assert.equal(receipts.length, 6, "every message ingested once");
  });
});
