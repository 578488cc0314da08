import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type BackupJob, BackupJobCodec } from "@netledger/contracts";
import type { Database, NewDevice } from "@netledger/db";
import { createDatabase, createLogger, createMetricsRegistry, openDedicatedSession } from "@netledger/platform";
import { createWorld, until, type World } from "@netledger/testkit";
import { type Kysely, sql } from "kysely";
import type { Clock } from "../clock.js";
import { createLeaderDuties, type LeaderDuties } from "./leader-duties.js";
import { createLeaderLock, lockObjectId } from "./leader-lock.js";
import { createSchedulerMetrics, type SchedulerMetrics } from "./metrics.js";
import { DEFAULT_SCHEDULE_POLICY, nextSlotAfter, type SchedulePolicy, scheduledJobId } from "./schedule-policy.js";
import { createScheduler } from "./scheduler.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = new Date("2030-01-01T00:00:00.000Z");
const logger = createLogger({ name: "scheduler-test", level: "silent" });
const policy: SchedulePolicy = { ...DEFAULT_SCHEDULE_POLICY, defaultIntervalMs: HOUR, jitterPercent: 10 };

class TestClock implements Clock {
  constructor(private ms: number) {}
  now() {
    return new Date(this.ms);
  }
  advance(ms: number) {
    this.ms += ms;
  }
}

interface Replica {
  readonly name: string;
  readonly duties: LeaderDuties;
  readonly db: Kysely<Database>;
  readonly metrics: SchedulerMetrics;
  alive: boolean;
}

function startReplica(world: World, name: string, clock: Clock): Replica {
  const db = createDatabase<Database>({ url: world.databaseUrl, max: 3, logger, applicationName: name });
  const metrics = createSchedulerMetrics(createMetricsRegistry("ingestor"));
  const lock = createLeaderLock({
    name: world.namespace,
    logger,
    openSession: () =>
      openDedicatedSession({ url: world.databaseUrl, applicationName: name, logger, timeoutMs: 30_000 }),
  });
  const scheduler = createScheduler({
    db,
    js: jetstream(world.nc),
    wire: world.wire,
    policy,
    clock,
    logger,
    batchSize: 200,
    // Generous: under load a slow answer must not read as a lost leader (no test measures these).
    publishTimeoutMs: 20_000,
    fence: (trx) => lock.fence(trx),
    metrics,
  });
  const duties = createLeaderDuties({
    lock,
    clock,
    logger,
    metrics,
    tickMs: 60_000,
    duties: [{ name: "schedule", everyMs: 0, run: () => scheduler.runOnce() }],
  });
  return { name, duties, db, metrics, alive: true };
}

/** Every job in the jobs stream (read by sequence: nothing consumes them here). */
async function readJobs(world: World): Promise<BackupJob[]> {
  const stream = world.wire.streams.jobs.name;
  const jsm = await jetstreamManager(world.nc);
  const { state } = await jsm.streams.info(stream);
  const seqs = Array.from({ length: state.last_seq - state.first_seq + 1 }, (_, i) => state.first_seq + i);
  const jobs: BackupJob[] = [];
  for (let i = 0; i < seqs.length; i += 200) {
    const batch = await Promise.all(seqs.slice(i, i + 200).map((seq) => jsm.streams.getMessage(stream, { seq })));
    for (const msg of batch) if (msg) jobs.push(BackupJobCodec.decode(msg.data));
  }
  assert.equal(jobs.length, state.messages);
  return jobs;
}

/** The slots a device must get between its first slot and `end`, by the pure rule. */
function expectedSlots(deviceId: string, first: Date, intervalMs: number, end: Date): number[] {
  const slots: number[] = [];
  for (let slot = first; slot.getTime() <= end.getTime(); ) {
    slots.push(slot.getTime());
    slot = nextSlotAfter(deviceId, slot, slot, intervalMs, policy.jitterPercent);
  }
  return slots;
}

describe("scheduler on real NATS and PostgreSQL", { timeout: 300_000 }, () => {
  let world: World;
  before(async () => {
    world = await createWorld({ redis: false });
  });
  after(() => world?.close());

  test("three replicas, 500 devices, 3 hours: each device enqueued exactly once per slot; the leader's death hands over within a tick", async () => {
    const { id: tenantId } = await world.db
      .insertInto("tenants")
      .values({ name: `t-${randomUUID()}` })
      .returning("id")
      .executeTakeFirstOrThrow();
    const intervals = [null, 600, 1_800] as const;
    const rows: NewDevice[] = Array.from({ length: 520 }, (_, i) => {
      const id = randomUUID();
      return {
        id,
        tenant_id: tenantId,
        name: `dev-${String(i).padStart(3, "0")}`,
        host: "127.0.0.1",
        port: 20_000 + i,
        driver: "routeros",
        credentials_sealed: world.sealer.sealString('{"username":"u","password":"p"}', `${tenantId}:${id}`),
        backup_interval_seconds: intervals[i % 3],
        next_due_at: T0,
        // 10 disabled and 10 blocked devices beyond the 500 scheduled ones.
        enabled: i < 500 || i >= 510,
        blocked_reason: i >= 510 ? "SSH_AUTH_FAILED" : null,
        // 12 devices failed a minute after the first slot: one retry 5 min later.
        ...(i < 12
          ? {
              consecutive_failures: 1,
              last_backup_status: "failed" as const,
              last_backup_at: new Date(T0.getTime() + MIN),
            }
          : {}),
      };
    });
    await world.db.insertInto("devices").values(rows).execute();

    const clock = new TestClock(T0.getTime());
    const replicas = ["replica-a", "replica-b", "replica-c"].map((name) => startReplica(world, name, clock));
    const leadersPerRound: string[][] = [];
    const round = async () => {
      const live = replicas.filter((r) => r.alive);
      const ticks = await Promise.all(live.map((r) => r.duties.tick()));
      const leaders = live.filter((_, i) => ticks[i]?.leader).map((r) => r.name);
      leadersPerRound.push(leaders);
      return leaders;
    };
    const sessionPidOfLeader = async (): Promise<number> => {
      const { rows: locks } = await sql<{ pid: number }>`
        select l.pid from pg_locks l join pg_database d on d.oid = l.database
        where l.locktype = 'advisory' and l.granted and d.datname = current_database()
          and l.objid = ${lockObjectId(world.namespace)}::int4::oid`.execute(world.db);
      assert.equal(locks.length, 1, "one advisory lock holder");
      return locks[0]!.pid;
    };

    let crashed: Replica | undefined;
    try {
      const STEP = 2 * MIN;
      const end = new Date(T0.getTime() + 3 * HOUR);
      for (let step = 0; clock.now().getTime() <= end.getTime(); step++) {
        const leaders = await round();
        assert.equal(leaders.length, 1, `exactly one leader in round ${step}: ${leaders.join(", ")}`);
        if (step === 30 || step === 60) {
          const leader = replicas.find((r) => r.name === leaders[0])!;
          if (step === 30) {
            // A crash: the leader's PostgreSQL session ends under it and it never ticks again.
            const pid = await sessionPidOfLeader();
            await sql`select pg_terminate_backend(${pid})`.execute(world.db);
            // pg_terminate_backend only signals the backend: its locks go when it has exited.
            await until("the crashed leader's session has ended", async () => {
              const { rows: gone } = await sql<{ n: number }>`
                select count(*)::int as n from pg_stat_activity where pid = ${pid}`.execute(world.db);
              return gone[0]!.n === 0;
            });
            leader.alive = false;
            crashed = leader;
          } else {
            // A graceful stop (SIGTERM): leadership is released.
            await leader.duties.stop();
            leader.alive = false;
          }
          // Within the same slot time, the next round of the survivors elects a new leader.
          const next = await round();
          assert.equal(next.length, 1, "a survivor leads on the next tick");
          assert.notEqual(next[0], leader.name);
        }
        clock.advance(STEP);
      }
      const names = new Set(leadersPerRound.flat());
      assert.ok(names.size >= 3, `leadership moved twice: ${[...names].join(", ")}`);

      // The crashed replica notices its session is gone and comes back as a follower.
      assert.ok(crashed);
      assert.equal((await crashed.duties.tick()).leader, false);

      // The stopped replica and the crashed one (which noticed) report 0, the survivor 1.
      const gauges = await Promise.all(replicas.map(async (r) => (await r.metrics.leader.get()).values[0]?.value));
      assert.deepEqual(gauges.sort(), [0, 0, 1], "the leader gauge says who leads");
      let published = 0;
      for (const r of replicas) {
        for (const v of (await r.metrics.jobs.get()).values) if (v.labels.result === "published") published += v.value;
      }

      const jobs = await readJobs(world);
      assert.equal(published, jobs.length, "netledger_scheduler_jobs_total counts every published job");
      const ids = jobs.map((j) => j.jobId);
      assert.equal(new Set(ids).size, ids.length, "no job enqueued twice");

      const byDevice = new Map<string, BackupJob[]>();
      for (const job of jobs) byDevice.set(job.deviceId, [...(byDevice.get(job.deviceId) ?? []), job]);
      assert.equal(byDevice.size, 500, "every enabled, unblocked device and no other");
      let slots = 0;
      for (const row of rows) {
        const got = (byDevice.get(row.id!) ?? []).map((j) => Date.parse(j.dueAt)).sort((a, b) => a - b);
        if (!row.enabled || row.blocked_reason) {
          assert.equal(got.length, 0);
          continue;
        }
        const interval = row.backup_interval_seconds ? row.backup_interval_seconds * 1000 : HOUR;
        const expected = expectedSlots(row.id!, T0, interval, clock.now());
        if (row.consecutive_failures) expected.push(T0.getTime() + 6 * MIN);
        expected.sort((a, b) => a - b);
        // The last slot may be due after the last tick.
        const last = clock.now().getTime() - STEP;
        assert.deepEqual(
          got,
          expected.filter((t) => t <= last),
          `${row.name}`,
        );
        slots += got.length;
        for (const job of byDevice.get(row.id!) ?? []) {
          assert.equal(job.jobId, scheduledJobId(row.id!, new Date(job.dueAt)));
          assert.equal(job.device.credentials, row.credentials_sealed);
          assert.equal(job.device.port, row.port);
        }
      }
      assert.ok(slots > 4_000, `${slots} slots enqueued`);
    } finally {
      for (const r of replicas) {
        if (r.alive) await r.duties.stop();
        await r.db.destroy();
      }
    }
  });

  test("a slot already published by a leader that died before commit is not enqueued twice", async (t) => {
    const world = await createWorld({ redis: false });
    t.after(() => world.close());
    const { id: tenantId } = await world.db
      .insertInto("tenants")
      .values({ name: `t-${randomUUID()}` })
      .returning("id")
      .executeTakeFirstOrThrow();
    const id = randomUUID();
    const due = new Date("2031-01-01T00:00:00.000Z");
    await world.db
      .insertInto("devices")
      .values({
        id,
        tenant_id: tenantId,
        name: "one",
        host: "127.0.0.1",
        port: 22,
        driver: "routeros",
        credentials_sealed: world.sealer.sealString("{}", "aad"),
        next_due_at: due,
      })
      .execute();
    const js = jetstream(world.nc);
    const jsm = await jetstreamManager(world.nc);
    const before = (await jsm.streams.info(world.wire.streams.jobs.name)).state.messages;
    // What the dead leader managed to publish before its transaction rolled back.
    await js.publish(world.wire.subjects.backupJobs, new TextEncoder().encode("{}"), {
      msgID: scheduledJobId(id, due),
    });
    const clock = new TestClock(due.getTime() + 30_000);
    const scheduler = createScheduler({
      db: world.db,
      js,
      wire: world.wire,
      policy,
      clock,
      logger,
      batchSize: 10,
      publishTimeoutMs: 5_000,
    });
    const pass = await scheduler.runOnce();
    assert.deepEqual(pass, { published: 0, duplicates: 1, failed: 0, invalid: 0, fenced: false });
    assert.equal((await jsm.streams.info(world.wire.streams.jobs.name)).state.messages, before + 1);
    const row = await world.db.selectFrom("devices").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    assert.deepEqual(row.last_scheduled_slot_at, due);
    assert.ok(row.next_due_at.getTime() > clock.now().getTime(), "the slot is recorded: next_due_at moved on");
    clock.advance(20 * MIN); // beyond the duplicate window, still before the next slot
    assert.equal((await scheduler.runOnce()).published, 0);
  });

  test("a device whose row cannot make a valid job has its slot passed over, once", async (t) => {
    const world = await createWorld({ redis: false });
    t.after(() => world.close());
    const { id: tenantId } = await world.db
      .insertInto("tenants")
      .values({ name: "acme" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const due = new Date("2031-01-01T00:00:00.000Z");
    await world.db
      .insertInto("devices")
      .values({
        tenant_id: tenantId,
        name: "unknown-driver",
        host: "127.0.0.1",
        port: 22,
        driver: "no-such-driver",
        credentials_sealed: world.sealer.sealString("{}", "aad"),
        next_due_at: due,
      })
      .execute();
    const registry = createMetricsRegistry("ingestor");
    const clock = new TestClock(due.getTime());
    const scheduler = createScheduler({
      db: world.db,
      js: jetstream(world.nc),
      wire: world.wire,
      policy,
      clock,
      logger,
      batchSize: 10,
      publishTimeoutMs: 20_000,
      metrics: createSchedulerMetrics(registry),
    });
    assert.deepEqual(await scheduler.runOnce(), { published: 0, duplicates: 0, failed: 0, invalid: 1, fenced: false });
    assert.deepEqual(await scheduler.runOnce(), { published: 0, duplicates: 0, failed: 0, invalid: 0, fenced: false });
    assert.match(await registry.metrics(), /^netledger_scheduler_invalid_devices_total\{service="ingestor"\} 1$/m);
    const jsm = await jetstreamManager(world.nc);
    assert.equal((await jsm.streams.info(world.wire.streams.jobs.name)).state.messages, 0);
  });
});
