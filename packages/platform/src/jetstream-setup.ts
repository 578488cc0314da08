import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { ConsumerConfigInput, StreamConfigInput, Wire } from "@netledger/contracts";
import { JetStreamSetupError } from "./errors.js";

/**
 * Create-or-update of the streams and durable consumers declared in contracts. Every replica of
 * every service calls these at start-up, at the same time: each step is idempotent, and a lost
 * race (another replica created the stream between our info and add) is retried from the top.
 */

/** Races are rare and resolve in one round; more than this means something else is wrong. */
const MAX_ROUNDS = 3;

/** JetStream API error codes (server 2.9+) seen when a concurrent creator won the race. */
const ALREADY_EXISTS_CODES: ReadonlySet<number> = new Set([
  10058, // stream name already in use with a different configuration
  10013, // consumer name already in use
  10148, // consumer already exists
]);

type StreamKey = keyof Wire["streams"];

/**
 * Makes each named stream of `wire` (default: all) exist with exactly its contracts config:
 * added when missing, updated when any field we set differs. Fields we do not set keep the
 * server's values. Safe to call concurrently from many replicas.
 */
export async function ensureStreams(nc: NatsConnection, wire: Wire, streams?: StreamKey[]): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const keys = streams ?? (Object.keys(wire.streams) as StreamKey[]);
  await Promise.all(keys.map((key) => ensureStream(jsm, wire.streams[key])));
}

async function ensureStream(jsm: JetStreamManager, config: StreamConfigInput): Promise<void> {
  const resource = `stream ${config.name}`;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const current = await orNull(jsm.streams.info(config.name), JetStreamApiCodes.StreamNotFound, resource);
    try {
      // Copies: the client mutates the config objects it is given.
      if (!current) await jsm.streams.add({ ...config, subjects: [...config.subjects] });
      else if (differs(config, current.config)) await jsm.streams.update(config.name, { ...config });
      return;
    } catch (err) {
      if (isApiError(err, ALREADY_EXISTS_CODES) && round < MAX_ROUNDS) continue;
      throw setupError(resource, err);
    }
  }
}

/**
 * Makes the durable consumer `config.durable_name` on `stream` exist with this config: added when
 * missing, updated when an editable field differs (ack_wait, max_deliver, max_ack_pending).
 * A change of a field the server cannot edit (ack or deliver policy) fails with JetStreamSetupError:
 * delete the consumer deliberately in that case, nothing here does it silently.
 */
export async function ensureConsumer(nc: NatsConnection, stream: string, config: ConsumerConfigInput): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const resource = `consumer ${stream}/${config.durable_name}`;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const current = await orNull(
      jsm.consumers.info(stream, config.durable_name),
      JetStreamApiCodes.ConsumerNotFound,
      resource,
    );
    try {
      if (!current) {
        await jsm.consumers.add(stream, { ...config });
      } else if (differs(config, current.config)) {
        const { ack_wait, max_deliver, max_ack_pending, filter_subject } = config;
        const immutable = differs(
          { ack_policy: config.ack_policy, deliver_policy: config.deliver_policy },
          current.config,
        );
        if (immutable) throw new JetStreamSetupError(resource, "ack_policy or deliver_policy changed; not editable");
        await jsm.consumers.update(stream, config.durable_name, {
          ack_wait,
          max_deliver,
          max_ack_pending,
          ...(filter_subject === undefined ? {} : { filter_subject }),
        });
      }
      return;
    } catch (err) {
      if (isApiError(err, ALREADY_EXISTS_CODES) && round < MAX_ROUNDS) continue;
      throw setupError(resource, err);
    }
  }
}

/**
 * Deletes every stream of `wire` and its snapshot blob bucket. For test clean-up and for
 * decommissioning an installation; missing ones are skipped, so it is idempotent.
 */
export async function deleteNamespace(nc: NatsConnection, wire: Wire): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const names = [...Object.values(wire.streams).map((s) => s.name), objectStoreStreamName(wire.snapshotBlobBucket)];
  await Promise.all(
    names.map(async (name) => {
      try {
        await jsm.streams.delete(name);
      } catch (err) {
        if (!isApiError(err, new Set([JetStreamApiCodes.StreamNotFound]))) throw setupError(`stream ${name}`, err);
      }
    }),
  );
}

/** Stream backing an object store bucket, as @nats-io/obj names it. */
export function objectStoreStreamName(bucket: string): string {
  return `OBJ_${bucket}`;
}

/** Whether any field set in `wanted` has another value in `actual` (the server's full config). */
function differs(wanted: object, actual: object): boolean {
  const current = actual as Record<string, unknown>;
  return Object.entries(wanted).some(
    ([key, value]) => value !== undefined && JSON.stringify(value) !== JSON.stringify(current[key]),
  );
}

async function orNull<T>(request: Promise<T>, notFoundCode: number, resource: string): Promise<T | null> {
  try {
    return await request;
  } catch (err) {
    if (isApiError(err, new Set([notFoundCode]))) return null;
    throw setupError(resource, err);
  }
}

function isApiError(err: unknown, codes: ReadonlySet<number>): err is JetStreamApiError {
  return err instanceof JetStreamApiError && codes.has(err.code);
}

function setupError(resource: string, err: unknown): JetStreamSetupError {
  if (err instanceof JetStreamSetupError) return err;
  return new JetStreamSetupError(resource, err instanceof Error ? err.message : String(err), { cause: err });
}
