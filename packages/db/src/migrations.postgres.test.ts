import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { createWorld, type World } from "@netledger/testkit";
import { sql } from "kysely";
import { type Device, type SaveSnapshotOutcome, saveSnapshot, transactionWithRetry } from "./index.js";
import { describeSchema } from "./schema-suite.js";
import { insertTenantDevice, snapshotOf, snapshotRows } from "./test-fixtures.js";

describeSchema("PostgreSQL", async () => {
  const world = await createWorld({ nats: false, redis: false }); // migrated by the world
  return { db: world.db, close: () => world.close() };
});

describe("snapshot dedup under concurrency (PostgreSQL)", () => {
  let world: World;
  before(async () => {
    world = await createWorld({ nats: false, redis: false });
  });
  after(() => world?.close());

  /** Resolves once some session of the world's database waits for a lock. */
  async function someoneWaitsForALock(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await sql<{ waiting: number }>`
        select count(*)::int as waiting from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(world.db);
      if ((rows[0]?.waiting ?? 0) > 0) return;
      if (Date.now() > deadline) assert.fail("the second transaction never waited for the first");
      await delay(20);
    }
  }

  /**
   * Transaction 1 saves `config` and holds its transaction open; transaction 2 saves the same
   * config meanwhile (with retry) and must wait; then 1 commits. Returns both outcomes and how
   * many attempts 2 took.
   */
  async function overlappingSaves(device: Device, config: string) {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let saved!: () => void;
    const firstSaved = new Promise<void>((resolve) => {
      saved = resolve;
    });
    const first = world.db.transaction().execute(async (trx) => {
      const outcome = await saveSnapshot(trx, snapshotOf(device, config));
      saved();
      await gate;
      return outcome;
    });
    await firstSaved;
    let attempts = 0;
    const second = transactionWithRetry(world.db, (trx) => {
      attempts++;
      return saveSnapshot(trx, snapshotOf(device, config));
    });
    await someoneWaitsForALock();
    release();
    const [one, two]: SaveSnapshotOutcome[] = await Promise.all([first, second]);
    return { one, two, attempts };
  }

  it("first snapshot of a device: the unique seq lets one commit, the other retries and sees it", async () => {
    const device = await insertTenantDevice(world.db);
    const { one, two, attempts } = await overlappingSaves(device, "A");
    assert.equal(one?.kind, "stored");
    assert.equal(two?.kind, "unchanged");
    assert.equal(attempts, 2, "the loser collided on the seq constraint once and retried");
    assert.equal((await snapshotRows(world.db, device.id)).length, 1);
  });

  it("later snapshots: the second writer queues on the head lock and compares with the first's version", async () => {
    const device = await insertTenantDevice(world.db);
    await world.db.transaction().execute((trx) => saveSnapshot(trx, snapshotOf(device, "A")));
    const { one, two, attempts } = await overlappingSaves(device, "B");
    assert.equal(one?.kind, "stored");
    assert.equal(two?.kind, "unchanged");
    assert.equal(attempts, 1, "no conflict: the head lock serialized the writers");
    assert.deepEqual(
      (await snapshotRows(world.db, device.id)).map((r) => r.seq),
      [1, 2],
    );
  });

  it("eight concurrent deliveries of the same new config store exactly one row", async () => {
    const device = await insertTenantDevice(world.db);
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () =>
        transactionWithRetry(world.db, (trx) => saveSnapshot(trx, snapshotOf(device, "same config"))),
      ),
    );
    assert.deepEqual(outcomes.map((o) => o.kind).sort(), ["stored", ...Array(7).fill("unchanged")]);
    assert.equal((await snapshotRows(world.db, device.id)).length, 1);
  });
});
