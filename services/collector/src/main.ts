import { hostname } from "node:os";
import {
  connectNats,
  createLockClients,
  createLogger,
  createMetricsRegistry,
  onShutdown,
  startOpsServer,
} from "@netledger/platform";
import { startCollector } from "./collector.js";
import { loadCollectorConfig } from "./config.js";

/** Collector service entry point: config → connections → collector → ops server → graceful shutdown. */
const config = loadCollectorConfig();
const logger = createLogger({ name: "collector", level: config.LOG_LEVEL });
const registry = createMetricsRegistry("collector");
// One JetStream publish per backup: no stack captured in advance for each (see connectNats).
const nc = await connectNats({
  servers: config.NATS_URL,
  name: `collector-${hostname()}-${process.pid}`,
  logger,
  asyncTraces: false,
});
const lockClients = await createLockClients([...config.REDIS_LOCK_URLS], {
  logger,
  commandTimeoutMs: config.LOCK_COMMAND_TIMEOUT_MS,
});
const collector = await startCollector({ config, nc, lockClients, logger, registry });
const ops = await startOpsServer({ port: config.OPS_PORT, registry, checks: collector.readiness, logger });

onShutdown({
  logger,
  // Grace, then aborted backups may still finish a publish already under way.
  timeoutMs: config.COLLECTOR_SHUTDOWN_GRACE_MS + config.COLLECTOR_PUBLISH_TIMEOUT_MS + 5_000,
  steps: [
    { name: "stop collecting", run: () => collector.stop() },
    { name: "drain NATS", run: () => nc.drain() },
    { name: "close Redis", run: async () => void (await Promise.all(lockClients.map((c) => c.quit()))) },
    { name: "close ops server", run: () => ops.close() },
  ],
});
