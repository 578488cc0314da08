import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { withDatabaseName } from "@netledger/db";
import { Redis } from "ioredis";
import pg from "pg";

/**
 * One-shot "does it answer?" checks, used to discover shared servers and to wait for private
 * ones. Each resolves when the server answers and rejects with the client's error otherwise;
 * none retries and none leaves a connection open.
 */

const PROBE_TIMEOUT_MS = 2_000;
const INVALID_CATALOG_NAME = "3D000";

/** Connects; with `jetstream`, also asks for the JetStream account info (needs a meta leader in a cluster). */
export async function probeNats(
  url: string,
  options: { jetstream?: boolean; serverName?: string; cluster?: string } = {},
): Promise<void> {
  const nc = await connect({ servers: url, timeout: PROBE_TIMEOUT_MS, reconnect: false });
  try {
    // The server started for this probe, not another one holding the port (ours then fails to bind).
    const info = nc.info;
    if (options.serverName !== undefined && info?.server_name !== options.serverName) {
      throw new Error(`${url} is another nats-server (${info?.server_name}), not ${options.serverName}`);
    }
    if (options.cluster !== undefined && info?.cluster !== options.cluster) {
      throw new Error(`${url} is a nats-server of cluster ${info?.cluster}, not ${options.cluster}`);
    }
    if (options.jetstream) await (await jetstreamManager(nc, { timeout: PROBE_TIMEOUT_MS })).getAccountInfo();
  } finally {
    await nc.close();
  }
}

/** PING. */
export async function probeRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  redis.on("error", () => {}); // surfaced by connect()/ping() below
  try {
    await redis.connect();
    await redis.ping();
  } finally {
    redis.disconnect();
  }
}

/**
 * `select 1` on the server's `postgres` database. A server that answers "no such database"
 * (someone dropped `postgres`) is up all the same.
 */
export async function probePostgres(url: string): Promise<void> {
  const client = new pg.Client({
    connectionString: withDatabaseName(url, "postgres"),
    connectionTimeoutMillis: PROBE_TIMEOUT_MS,
  });
  client.on("error", () => {}); // a dying server must not crash the prober
  try {
    await client.connect();
    await client.query("select 1");
  } catch (err) {
    if ((err as { code?: string }).code !== INVALID_CATALOG_NAME) throw err;
  } finally {
    await client.end().catch(() => {});
  }
}
