/**
 * @netledger/testkit: real NATS, Redis and PostgreSQL for tests. `createWorld()` gives a test
 * its own isolated namespace, key prefix and database on the shared (or discovered) servers;
 * the `start*` functions run private servers for fault tests (stop, restart, kill).
 * See ../README.md for discovery, fallbacks and environment variables.
 */
export type { ServerHandle } from "./child-server.js";
export { FALLBACKS, type Fallback } from "./config.js";
export { type LocatedServer, type LocateOptions, locateServer, type ServerKind } from "./discovery.js";
export { TestkitError, type TestkitErrorCode } from "./errors.js";
export { SIM_FAILURE_CODES } from "./failure-codes.js";
export { freePort } from "./free-port.js";
export { type NatsCluster, startNatsCluster, startNatsServer } from "./nats-server.js";
export {
  findSshd,
  type OpenSshHostKey,
  type OpenSshKeyType,
  type OpenSshServer,
  type OpenSshServerOptions,
  startOpenSshServer,
} from "./openssh-server.js";
export { startPostgres } from "./postgres-server.js";
export { type RealExports, type RouterOsFixture, realRouterOsExports } from "./real-exports.js";
export { deleteKeysWithPrefix } from "./redis-keys.js";
export { startRedisMasters, startRedisServer } from "./redis-server.js";
export { type ServiceProcess, startServiceProcess } from "./service-process.js";
export { until } from "./until.js";
export { createWorld, TEST_STREAM_MAX_BYTES, type World, type WorldOptions } from "./world.js";
