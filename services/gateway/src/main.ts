import {
  connectNats,
  createDatabase,
  createLogger,
  createMetricsRegistry,
  createRedis,
  onShutdown,
  startOpsServer,
  waitForDatabase,
} from "@netledger/platform";
import { sql } from "kysely";
import { loadGatewayConfig } from "./config.js";

// Wiring only: the REST API, auth, tenants and RBAC arrive with the gateway issue.
const config = loadGatewayConfig();
const logger = createLogger({ name: "gateway", level: config.LOG_LEVEL });
const registry = createMetricsRegistry("gateway");

const nc = await connectNats({ servers: config.NATS_URL, name: "gateway", logger });
const redis = createRedis(config.REDIS_URL, { logger, name: "gateway-rate-limit" });
const db = createDatabase({ url: config.DATABASE_URL, logger, applicationName: "netledger-gateway" });
await waitForDatabase(db, { attempts: 10, logger });

const ops = await startOpsServer({
  port: config.OPS_PORT,
  registry,
  logger,
  checks: {
    nats: () => !nc.isClosed() && !nc.isDraining(),
    redis: () => redis.status === "ready",
    postgres: async () => {
      await sql`select 1`.execute(db);
      return true;
    },
  },
});
logger.info({ opsPort: ops.port }, "gateway started");

onShutdown({
  logger,
  steps: [
    { name: "close ops server", run: () => ops.close() },
    { name: "drain NATS", run: () => nc.drain() },
    { name: "close Redis", run: async () => void (await redis.quit()) },
    { name: "close database pool", run: () => db.destroy() },
  ],
});
