import { type Collector, loadCollectorConfig, startCollector } from "@netledger/collector";
import type { PhaseTimings } from "@netledger/contracts";
import { connectNats, createLockClients, createLogger, createMetricsRegistry } from "@netledger/platform";
import type { World } from "@netledger/testkit";

/** Timings of one successful backup, as the pipeline logged them. */
export interface DoneRecord {
  readonly trigger: string;
  readonly deviceId: string;
  readonly timings: PhaseTimings;
}

export interface CollectorHost {
  readonly collector: Collector;
  /** Returns and forgets the `backup done` records logged since the last call. */
  takeDone(): DoneRecord[];
  /** Stops the collector, drains its NATS connection, closes its lock clients. */
  close(): Promise<void>;
}

/**
 * One in-process collector exactly as `main.ts` builds it (own NATS connection, Redlock clients
 * on the world's Redis, metrics registry, logger at `info`), joined to the world through its
 * environment, answering triggers and pulling jobs with COLLECTOR_CONCURRENCY = `concurrency`.
 *
 * The collector reports per-backup phase timings only in its `backup done` log line (and as
 * coarse histogram buckets), so the log goes to an in-memory sink: those lines are kept
 * unparsed until `takeDone()`, warnings and errors are forwarded to stderr, the rest dropped.
 */
export async function startCollectorHost(world: World, concurrency: number): Promise<CollectorHost> {
  const config = loadCollectorConfig({ ...world.env(), COLLECTOR_CONCURRENCY: String(concurrency), LOG_LEVEL: "info" });
  let doneLines: string[] = [];
  const logger = createLogger({
    name: "collector",
    level: config.LOG_LEVEL,
    destination: {
      write(line: string) {
        if (line.includes('"msg":"backup done"')) doneLines.push(line);
        else if (/"level":"(warn|error|fatal)"/.test(line)) process.stderr.write(line);
      },
    },
  });
  const nc = await connectNats({ servers: config.NATS_URL, name: "bench-collector", logger, asyncTraces: false });
  const lockClients = await createLockClients([...config.REDIS_LOCK_URLS], { logger });
  let collector: Collector;
  try {
    collector = await startCollector({
      config,
      nc,
      lockClients,
      logger,
      registry: createMetricsRegistry("collector"),
    });
  } catch (err) {
    await nc.close();
    for (const client of lockClients) client.disconnect();
    throw err;
  }
  return {
    collector,
    takeDone() {
      const lines = doneLines;
      doneLines = [];
      return lines.flatMap(parseDone);
    },
    async close() {
      await collector.stop();
      await nc.drain();
      await Promise.all(lockClients.map((client) => client.quit().catch(() => client.disconnect())));
    },
  };
}

function parseDone(line: string): DoneRecord[] {
  const record = JSON.parse(line) as Partial<DoneRecord> & { outcome?: unknown };
  const t = record.timings;
  if (record.outcome !== "success" || typeof record.deviceId !== "string" || typeof t?.totalMs !== "number") return [];
  return [{ trigger: String(record.trigger), deviceId: record.deviceId, timings: t }];
}
