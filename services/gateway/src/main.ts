import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Database } from "@netledger/db";
import {
  connectNats,
  createDatabase,
  createLogger,
  createMetricsRegistry,
  createRedis,
  createSealer,
  onShutdown,
  startOpsServer,
  waitForDatabase,
  wireFromConfig,
} from "@netledger/platform";
import { sql } from "kysely";
import { createApp } from "./app.js";
import { loadBootstrapToken } from "./auth/authenticate.js";
import { loadGatewayConfig } from "./config.js";
import { createRateLimiterFactory } from "./rate-limit.js";

// Wiring only: routes live in routes/, the app in app.ts.
const config = loadGatewayConfig();
const logger = createLogger({ name: "gateway", level: config.LOG_LEVEL });
const registry = createMetricsRegistry("gateway");
const bootstrapToken = await loadBootstrapToken(config);
if (bootstrapToken === undefined) logger.info("no bootstrap token configured: no platform admin on this gateway");

const nc = await connectNats({ servers: config.NATS_URL, name: "gateway", logger });
const redis = createRedis(config.REDIS_URL, { logger, name: "gateway-rate-limit" });
const db = createDatabase<Database>({ url: config.DATABASE_URL, logger, applicationName: "netledger-gateway" });
await waitForDatabase(db, { attempts: 10, logger });

const { app } = createApp({
  config,
  db,
  nc,
  wire: wireFromConfig(config),
  sealer: createSealer(config.NETLEDGER_SEAL_KEYS),
  logger,
  registry,
  bootstrapToken,
  rateLimiter: createRateLimiterFactory({
    redis,
    keyPrefix: config.REDIS_KEY_PREFIX,
    onStoreError: config.RATE_LIMIT_ON_STORE_ERROR,
    logger,
  }),
});
const server = createServer(app);
server.keepAliveTimeout = 65_000;
await new Promise<void>((resolve, reject) => {
  server.once("error", reject);
  server.listen(config.GATEWAY_PORT, () => resolve());
});

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
logger.info({ port: (server.address() as AddressInfo).port, opsPort: ops.port }, "gateway started");

onShutdown({
  logger,
  steps: [
    {
      name: "close API server",
      run: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    },
    { name: "close ops server", run: () => ops.close() },
    { name: "drain NATS", run: () => nc.drain() },
    { name: "close Redis", run: async () => void (await redis.quit()) },
    { name: "close database pool", run: () => db.destroy() },
  ],
});
