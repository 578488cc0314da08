import type { ConsumerConfigInput, StreamConfigInput } from "./nats-config.js";

/** Default namespace: production subjects start with `netledger.`, streams with `NETLEDGER_`. */
export const DEFAULT_NAMESPACE = "netledger";

const NAMESPACE_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

/** Messages above this size never go inline on the wire; the server default max_payload is 1 MiB. */
export const INLINE_CONTENT_LIMIT_BYTES = 512 * 1024;

/**
 * Headers of a backup job the collectors republish for a retry (the payload is unchanged):
 * `attempt` is the attempt this copy is (absent: 1), `notBefore` an ISO time before which the
 * copy is nak'ed back untried (the retry back-off; JetStream 2.10 has no delayed publish).
 */
export const JOB_HEADERS = { attempt: "Netledger-Job-Attempt", notBefore: "Netledger-Job-Not-Before" } as const;

/**
 * Every subject, stream, consumer and bucket name of one NetLedger installation.
 * A namespace isolates installations (and test worlds) sharing one NATS server.
 *
 * @example
 * const wire = createWire("netledger");
 * nc.request(wire.subjects.trigger, payload);
 */
export interface Wire {
  readonly namespace: string;
  readonly subjects: {
    /** Core NATS request/reply: "back up this device now". Collectors answer in a queue group. */
    readonly trigger: string;
    /** Work-queue stream subject of due backup jobs. */
    readonly backupJobs: string;
    /** Poison jobs, published once before the job is terminated. */
    readonly deadLetterJobs: string;
    /** Snapshot of one device: `<ns>.snapshots.<tenantId>.<deviceId>`. */
    snapshot(tenantId: string, deviceId: string): string;
    /** Wildcard matching every snapshot subject. */
    readonly snapshotsAll: string;
    /** Backup failure of one device: `<ns>.events.backup-failed.<tenantId>.<deviceId>`. */
    backupFailed(tenantId: string, deviceId: string): string;
    readonly backupFailedAll: string;
    /** Ingest of one snapshot message: `<ns>.events.ingested.<tenantId>.<deviceId>`. */
    ingested(tenantId: string, deviceId: string): string;
    readonly ingestedAll: string;
    /** Snapshot or event messages the ingestor could not accept (schema, sha256, unknown device). */
    readonly deadLetterIngest: string;
    readonly eventsAll: string;
  };
  readonly queueGroups: { readonly collectors: string };
  readonly streams: {
    readonly snapshots: StreamConfigInput;
    readonly jobs: StreamConfigInput;
    readonly events: StreamConfigInput;
  };
  readonly consumers: {
    /** The one shared durable all collector replicas pull jobs from. */
    readonly collectorJobs: ConsumerConfigInput;
    readonly ingestorSnapshots: ConsumerConfigInput;
    readonly ingestorEvents: ConsumerConfigInput;
  };
  /** Object store bucket for snapshot content larger than {@link INLINE_CONTENT_LIMIT_BYTES}. */
  readonly snapshotBlobBucket: string;
}

const NS = 1_000_000;
const SECOND = 1_000 * NS;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

/** Default byte limits of the size-limited streams. */
export const DEFAULT_SNAPSHOTS_MAX_BYTES = 8 * 1024 * 1024 * 1024;
export const DEFAULT_EVENTS_MAX_BYTES = 1024 * 1024 * 1024;

/**
 * Sizing of one installation's streams. JetStream reserves a stream's whole `max_bytes` from the
 * server's storage when the stream is created, so small servers (laptops, test runs sharing one
 * server) need smaller limits than production.
 */
export interface WireOptions {
  snapshotsMaxBytes?: number;
  eventsMaxBytes?: number;
}

/** Builds the names for one namespace. Throws on a namespace that is not a safe subject token. */
export function createWire(namespace: string = DEFAULT_NAMESPACE, options: WireOptions = {}): Wire {
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new Error(`invalid wire namespace "${namespace}": expected ${NAMESPACE_PATTERN}`);
  }
  const ns = namespace;
  const upper = ns.toUpperCase().replace(/-/g, "_");
  const token = (name: string, value: string): string => {
    if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new Error(`invalid ${name} subject token`);
    return value;
  };
  const subjects = {
    trigger: `${ns}.backup.trigger`,
    backupJobs: `${ns}.jobs.backup`,
    deadLetterJobs: `${ns}.events.jobs-dead`,
    snapshot: (tenantId: string, deviceId: string) =>
      `${ns}.snapshots.${token("tenant", tenantId)}.${token("device", deviceId)}`,
    snapshotsAll: `${ns}.snapshots.>`,
    backupFailed: (tenantId: string, deviceId: string) =>
      `${ns}.events.backup-failed.${token("tenant", tenantId)}.${token("device", deviceId)}`,
    backupFailedAll: `${ns}.events.backup-failed.>`,
    ingested: (tenantId: string, deviceId: string) =>
      `${ns}.events.ingested.${token("tenant", tenantId)}.${token("device", deviceId)}`,
    ingestedAll: `${ns}.events.ingested.>`,
    deadLetterIngest: `${ns}.events.ingest-dead`,
    eventsAll: `${ns}.events.>`,
  };
  return {
    namespace: ns,
    subjects,
    queueGroups: { collectors: `${ns}-collectors` },
    streams: {
      // Dedicated to snapshots: nothing else shares its limits. discard:new means a full stream
      // refuses new publishes (the collector sees PUBLISH_FAILED) instead of silently dropping
      // snapshots the ingestor has not persisted yet.
      snapshots: {
        name: `${upper}_SNAPSHOTS`,
        subjects: [subjects.snapshotsAll],
        retention: "limits",
        storage: "file",
        discard: "new",
        max_age: 14 * DAY,
        max_bytes: options.snapshotsMaxBytes ?? DEFAULT_SNAPSHOTS_MAX_BYTES,
        max_msg_size: 1024 * 1024,
        duplicate_window: 10 * MINUTE,
      },
      jobs: {
        name: `${upper}_JOBS`,
        subjects: [subjects.backupJobs],
        retention: "workqueue",
        storage: "file",
        discard: "new",
        max_age: 1 * DAY,
        max_msgs: 5_000_000,
        max_msg_size: 64 * 1024,
        duplicate_window: 10 * MINUTE,
      },
      events: {
        name: `${upper}_EVENTS`,
        subjects: [subjects.eventsAll],
        retention: "limits",
        storage: "file",
        discard: "old",
        max_age: 14 * DAY,
        max_bytes: options.eventsMaxBytes ?? DEFAULT_EVENTS_MAX_BYTES,
        max_msg_size: 64 * 1024,
        duplicate_window: 10 * MINUTE,
      },
    },
    consumers: {
      // Deliveries are not attempts: a job that finds its device locked, meets a lock outage or a
      // shutdown is nak'ed back without spending one. Collectors count failed attempts in the
      // JOB_HEADERS.attempt header of a republished copy and dead-letter past their limit, so
      // max_deliver stays unlimited. ack_wait is short because running jobs heartbeat (working()
      // every third of it): a crashed replica's jobs come back within 15 s.
      collectorJobs: {
        durable_name: "collectors",
        ack_policy: "explicit",
        ack_wait: 15 * SECOND,
        max_deliver: -1,
        max_ack_pending: 10_000,
        deliver_policy: "all",
      },
      ingestorSnapshots: {
        durable_name: "ingestor-snapshots",
        ack_policy: "explicit",
        ack_wait: 60 * SECOND,
        max_deliver: -1,
        max_ack_pending: 1_000,
        deliver_policy: "all",
      },
      ingestorEvents: {
        durable_name: "ingestor-events",
        // Only what the ingestor acts on: its own ingested events and dead letters share the stream.
        filter_subject: subjects.backupFailedAll,
        ack_policy: "explicit",
        ack_wait: 30 * SECOND,
        max_deliver: -1,
        max_ack_pending: 1_000,
        deliver_policy: "all",
      },
    },
    snapshotBlobBucket: `${ns.replace(/-/g, "_")}_snapshot_blobs`,
  };
}
