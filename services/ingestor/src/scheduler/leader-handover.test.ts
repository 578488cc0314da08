import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { jetstreamManager } from "@nats-io/jetstream";
import { BackupJobCodec } from "@netledger/contracts";
import { createWorld, freePort, type ServiceProcess, startServiceProcess, type World } from "@netledger/testkit";

/**
 * The scheduler as it runs in production: three ingestor processes on one database, real time.
 * The leader is SIGKILLed; another replica must lead within the lease and keep scheduling.
 */
const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const LEASE_MS = 4_000;
const TICK_MS = 250;

async function leaderGauge(port: number): Promise<number | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const match = /^netledger_scheduler_leader\{service="ingestor"\} (\d)$/m.exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await delay(50);
  }
}

describe("scheduler leader handover between ingestor processes", { timeout: 180_000 }, () => {
  let world: World;
  before(async () => {
    world = await createWorld({ redis: false });
  });
  after(() => world?.close());

  test("a SIGKILLed leader is replaced within the lease and scheduling goes on", async (t) => {
    const { id: tenantId } = await world.db
      .insertInto("tenants")
      .values({ name: "acme" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const devices = Array.from({ length: 20 }, (_, i) => {
      const id = randomUUID();
      return {
        id,
        tenant_id: tenantId,
        name: `d${i}`,
        host: "127.0.0.1",
        port: 22,
        driver: "routeros",
        credentials_sealed: world.sealer.sealString("{}", `${tenantId}:${id}`),
      };
    });
    await world.db.insertInto("devices").values(devices).execute();

    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const replicas: ServiceProcess[] = ports.map((port) =>
      startServiceProcess(MAIN, {
        ...process.env,
        ...world.env(),
        OPS_PORT: String(port),
        BACKUP_INTERVAL_MS: "3s",
        SCHEDULER_TICK_MS: String(TICK_MS),
        SCHEDULER_LEASE_MS: String(LEASE_MS),
      }),
    );
    try {
      await Promise.all(replicas.map((r, i) => r.waitForHttp(ports[i]!, "/readyz", 200)));
      const leaders = async () => Promise.all(ports.map(leaderGauge));
      const first = await until("a leader", 30_000, async () => {
        const gauges = await leaders();
        const index = gauges.indexOf(1);
        return index >= 0 && gauges.filter((g) => g === 1).length === 1 ? index : undefined;
      });
      const jsm = await jetstreamManager(world.nc);
      const jobs = async () => (await jsm.streams.info(world.wire.streams.jobs.name)).state.messages;
      await until("the first round enqueued", 30_000, async () =>
        (await jobs()) >= devices.length ? true : undefined,
      );

      replicas[first]!.child.kill("SIGKILL");
      const killedAt = Date.now();
      const next = await until("a new leader", LEASE_MS + 10 * TICK_MS, async () => {
        const gauges = await leaders();
        const index = gauges.findIndex((g, i) => i !== first && g === 1);
        return index >= 0 ? index : undefined;
      });
      assert.notEqual(next, first);
      const handoverMs = Date.now() - killedAt;
      assert.ok(handoverMs <= LEASE_MS + 10 * TICK_MS, `handed over in ${handoverMs} ms`);
      t.diagnostic(`leadership handed over ${handoverMs} ms after the SIGKILL`);
      const gauges = await leaders();
      assert.equal(gauges.filter((g) => g === 1).length, 1, "one leader among the survivors");

      const before = await jobs();
      await until("the new leader schedules the next slots", 30_000, async () =>
        (await jobs()) >= before + devices.length ? true : undefined,
      );
      // Every job's msg id is its slot: the stream holds no two jobs with one id.
      const info = await jsm.streams.info(world.wire.streams.jobs.name, { subjects_filter: ">" });
      assert.ok(info.state.messages >= 2 * devices.length);
      const seen = new Set<string>();
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const msg = await jsm.streams.getMessage(world.wire.streams.jobs.name, { seq });
        assert.ok(msg, `message ${seq}`);
        const { jobId } = BackupJobCodec.decode(msg.data);
        assert.ok(!seen.has(jobId), `job ${jobId} enqueued twice`);
        seen.add(jobId);
      }
    } finally {
      for (const r of replicas) r.child.kill("SIGTERM");
      await Promise.all(replicas.map((r) => r.exited));
    }
  });
});
