import { randomBytes } from "node:crypto";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { createWire, type Wire } from "@netledger/contracts";
import { type Database, dropDatabase, ensureDatabase, migrateToLatest, withDatabaseName } from "@netledger/db";
import {
  createDatabase,
  createLogger,
  createSealer,
  deleteNamespace,
  ensureStreams,
  generateKey,
  parseKeyRing,
  type Sealer,
} from "@netledger/platform";
import { Redis } from "ioredis";
import type { Kysely } from "kysely";
import { locateServer } from "./discovery.js";
import { TestkitError } from "./errors.js";
import { deleteKeysWithPrefix } from "./redis-keys.js";

/**
 * One test's isolated world on real servers: its own wire namespace (subjects, streams,
 * consumers, buckets), Redis key prefix, database and seal key. Two worlds on the same servers
 * never see each other's data; `close()` removes all of it.
 */
export interface World {
  /** Short random hex, unique per world. */
  readonly id: string;
  /** `t<id>`: the wire namespace (`NETLEDGER_NAMESPACE` of services joining the world). */
  readonly namespace: string;
  /** `createWire(namespace)`, with stream `max_bytes` set to {@link TEST_STREAM_MAX_BYTES} (also in `env()`). */
  readonly wire: Wire;
  readonly natsUrl: string;
  /** Connected; the namespace's streams exist unless created with `streams: false`. */
  readonly nc: NatsConnection;
  readonly redisUrl: string;
  /** Plain client (no ioredis keyPrefix): put {@link World.keyPrefix} in front of keys yourself. */
  readonly redis: Redis;
  /** `nl:<id>:`; every key under it is deleted by `close()`. */
  readonly keyPrefix: string;
  /** URL of the world's own database `nl_test_<id>`, migrated to the latest schema. */
  readonly databaseUrl: string;
  readonly db: Kysely<Database>;
  /** `NETLEDGER_SEAL_KEYS` value: one fresh key. */
  readonly sealKeys: string;
  readonly sealer: Sealer;
  /**
   * Environment a service process needs to join this world: NATS_URL, REDIS_URL,
   * REDIS_LOCK_URLS, REDIS_KEY_PREFIX, DATABASE_URL, NETLEDGER_NAMESPACE, NETLEDGER_SEAL_KEYS,
   * LOG_LEVEL=warn (variables of disabled parts are left out).
   */
  env(): Record<string, string>;
  /**
   * Deletes the namespace's streams, consumers and buckets, drains `nc`, deletes the prefix's
   * Redis keys, drops the database (ending its sessions first). Idempotent; throws
   * TESTKIT_CLEANUP_FAILED after trying every step if any failed.
   */
  close(): Promise<void>;
}

export interface WorldOptions {
  /** Default true each; `streams` only matters with `nats`. */
  database?: boolean;
  nats?: boolean;
  redis?: boolean;
  streams?: boolean;
  /** Use this NATS server (e.g. a private `startNatsServer()` of a fault test) instead of locating one. */
  natsUrl?: string;
}

/**
 * Cap on the world's stream `max_bytes`. JetStream reserves a stream's whole `max_bytes` of the
 * server's storage at creation: with the production sizes (8 GiB snapshots) only a handful of
 * worlds would fit on a shared server at once.
 */
export const TEST_STREAM_MAX_BYTES = 256 * 1024 * 1024;

const logger = createLogger({ name: "testkit", level: "warn" });

/**
 * A new isolated world. Servers are found by `locateServer` (configured, container or private
 * instance). Always `close()` it (e.g. in `after`).
 *
 * @example
 * const world = await createWorld();
 * after(() => world.close());
 * const child = spawn("node", ["--import", "tsx", "services/ingestor/src/main.ts"], { env: { ...process.env, ...world.env() } });
 */
export async function createWorld(options: WorldOptions = {}): Promise<World> {
  const { database = true, nats = true, redis = true, streams = true } = options;
  const id = randomBytes(4).toString("hex");
  const namespace = `t${id}`;
  const sealKeys = `t${id}:${generateKey()}`;
  const parts: Parts = {
    id,
    namespace,
    wire: createWire(namespace, { snapshotsMaxBytes: TEST_STREAM_MAX_BYTES, eventsMaxBytes: TEST_STREAM_MAX_BYTES }),
    keyPrefix: `nl:${id}:`,
    sealKeys,
    sealer: createSealer(parseKeyRing(sealKeys)),
  };
  const world = new TestWorld(parts);
  try {
    const [natsServer, redisServer, postgresServer] = await Promise.all([
      nats ? (options.natsUrl ? { url: options.natsUrl } : locateServer("nats")) : undefined,
      redis ? locateServer("redis") : undefined,
      database ? locateServer("postgres") : undefined,
    ]);
    await Promise.all([
      natsServer && openNats(parts, natsServer.url, streams),
      redisServer && openRedis(parts, redisServer.url),
      postgresServer && openDatabase(parts, withDatabaseName(postgresServer.url, `nl_test_${id}`)),
    ]);
    return world;
  } catch (err) {
    await world.close().catch(() => {});
    throw err;
  }
}

interface Parts {
  readonly id: string;
  readonly namespace: string;
  readonly wire: Wire;
  readonly keyPrefix: string;
  readonly sealKeys: string;
  readonly sealer: Sealer;
  natsUrl?: string;
  nc?: NatsConnection;
  redisUrl?: string;
  redis?: Redis;
  databaseUrl?: string;
  db?: Kysely<Database>;
}

async function openNats(parts: Parts, url: string, streams: boolean): Promise<void> {
  parts.natsUrl = url;
  // Reconnects without limit: fault tests stop and kill private servers under a world.
  parts.nc = await connect({
    servers: url,
    name: `testkit-${parts.id}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  if (streams) await ensureStreams(parts.nc, parts.wire);
}

async function openRedis(parts: Parts, url: string): Promise<void> {
  parts.redisUrl = url;
  parts.redis = new Redis(url, { lazyConnect: true, connectionName: `testkit-${parts.id}` });
  await parts.redis.connect();
}

async function openDatabase(parts: Parts, url: string): Promise<void> {
  parts.databaseUrl = url;
  await ensureDatabase(url);
  parts.db = createDatabase<Database>({ url, max: 5, logger, applicationName: `testkit-${parts.id}` });
  await migrateToLatest(parts.db);
}

class TestWorld implements World {
  #closing: Promise<void> | undefined;

  constructor(private readonly parts: Parts) {}

  get id() {
    return this.parts.id;
  }
  get namespace() {
    return this.parts.namespace;
  }
  get wire() {
    return this.parts.wire;
  }
  get keyPrefix() {
    return this.parts.keyPrefix;
  }
  get sealKeys() {
    return this.parts.sealKeys;
  }
  get sealer() {
    return this.parts.sealer;
  }
  get natsUrl() {
    return enabled(this.parts.natsUrl, "natsUrl", "nats");
  }
  get nc() {
    return enabled(this.parts.nc, "nc", "nats");
  }
  get redisUrl() {
    return enabled(this.parts.redisUrl, "redisUrl", "redis");
  }
  get redis() {
    return enabled(this.parts.redis, "redis", "redis");
  }
  get databaseUrl() {
    return enabled(this.parts.databaseUrl, "databaseUrl", "database");
  }
  get db() {
    return enabled(this.parts.db, "db", "database");
  }

  env(): Record<string, string> {
    const { natsUrl, redisUrl, databaseUrl, keyPrefix, namespace, sealKeys } = this.parts;
    return {
      ...(natsUrl ? { NATS_URL: natsUrl } : {}),
      ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_LOCK_URLS: redisUrl, REDIS_KEY_PREFIX: keyPrefix } : {}),
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      NETLEDGER_NAMESPACE: namespace,
      NETLEDGER_SNAPSHOTS_MAX_BYTES: String(TEST_STREAM_MAX_BYTES),
      NETLEDGER_EVENTS_MAX_BYTES: String(TEST_STREAM_MAX_BYTES),
      NETLEDGER_SEAL_KEYS: sealKeys,
      LOG_LEVEL: "warn",
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#teardown();
    return this.#closing;
  }

  async #teardown(): Promise<void> {
    const { nc, natsUrl, redis, redisUrl, db, databaseUrl, wire, keyPrefix } = this.parts;
    const results = await Promise.allSettled([
      natsUrl &&
        (async () => {
          // The test may have closed `nc` itself: clean up over a fresh connection then.
          const conn = nc && !nc.isClosed() ? nc : await connect({ servers: natsUrl });
          try {
            await deleteNamespace(conn, wire);
          } finally {
            await conn.drain();
          }
        })(),
      redisUrl &&
        (async () => {
          const client = redis && redis.status === "ready" ? redis : new Redis(redisUrl);
          try {
            await deleteKeysWithPrefix(client, keyPrefix);
          } finally {
            client.disconnect();
            redis?.disconnect();
          }
        })(),
      databaseUrl &&
        (async () => {
          await db?.destroy();
          await dropDatabase(databaseUrl);
        })(),
    ]);
    const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    if (failures.length) {
      throw new TestkitError(
        "TESTKIT_CLEANUP_FAILED",
        `world ${this.parts.id}: ${failures.length} clean-up step(s) failed`,
        {
          cause: new AggregateError(failures),
        },
      );
    }
  }
}

function enabled<T>(value: T | undefined, name: string, option: keyof WorldOptions): T {
  if (value === undefined) {
    throw new TestkitError(
      "TESTKIT_WORLD_PART_DISABLED",
      `this world was created with ${option}: false; it has no ${name}`,
    );
  }
  return value;
}
