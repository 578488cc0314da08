import type { NatsConnection } from "@nats-io/nats-core";
import {
  BackupFailedEventCodec,
  BackupJobCodec,
  type ChangeCounts,
  IngestedEventCodec,
  type PhaseTimings,
  type Wire,
} from "@netledger/contracts";
import { type LogRecord, levelOf } from "./bundle-service.js";
import { BenchTimeoutError } from "./errors.js";

/**
 * One device's scheduled backup in one pass, as it went by. Times are wall-clock epoch
 * milliseconds (`Date.now()` here, pino `time` in the collectors: one clock, one machine).
 */
export interface JobTrace {
  readonly jobId: string;
  readonly deviceId: string;
  /** The job published by the scheduler, seen on the jobs subject. */
  readonly jobSeenAt: number;
  /** Collector start of the backup (its `backup done` line's time minus `timings.totalMs`). */
  collectorStartAt?: number;
  collector?: string;
  timings?: PhaseTimings;
  /** The snapshot event seen on the snapshots subject (after its PubAck was sent). */
  snapshotSeenAt?: number;
  /** The ingestor's ingested event seen (after its commit). */
  ingestedAt?: number;
  changed?: boolean;
  changes?: ChangeCounts;
}

export interface PassTrace {
  /** By job id; one per device for a clean pass. */
  readonly jobs: ReadonlyMap<string, JobTrace>;
  /** Ingested events of this pass's jobs. */
  ingestedCount(): number;
  /** Resolves once `count` jobs of this pass are ingested; rejects with BenchTimeoutError past `timeoutMs`. */
  waitIngested(count: number, timeoutMs: number): Promise<void>;
}

export interface FleetWatch {
  /** Starts tracing a new pass: jobs seen from now on belong to it. */
  beginPass(): PassTrace;
  /** Hands a collector's log line to the trace (`backup done` lines carry the pipeline's timings). */
  collectorLog(label: string, record: LogRecord): void;
  /** Codes of backup-failed events seen (any pass). */
  readonly failures: readonly string[];
  /** Dead letters seen on the jobs and ingest dead-letter subjects. */
  readonly deadLetters: { jobs: number; ingest: number };
  /** Collector log lines by message other than `backup done` (e.g. "device locked by another backup"). */
  readonly collectorEvents: ReadonlyMap<string, number>;
  close(): void;
}

/**
 * Listens (core NATS, beside JetStream, as an operator's tap would) to the world's jobs,
 * snapshots, ingested events, backup-failed events and dead letters, and joins them per job id
 * with the collectors' `backup done` lines. Nothing of a message is kept but ids and times.
 */
export function watchFleet(nc: NatsConnection, wire: Wire): FleetWatch {
  const all = new Map<string, JobTrace>();
  let current: { jobs: Map<string, JobTrace>; ingested: number; notify: () => void } | undefined;
  const failures: string[] = [];
  const deadLetters = { jobs: 0, ingest: 0 };
  const collectorEvents = new Map<string, number>();
  const traceOfMsgId = (msgId: string | undefined): JobTrace | undefined =>
    msgId?.startsWith("job:") ? all.get(msgId.slice(4)) : undefined;

  const subs = [
    nc.subscribe(wire.subjects.backupJobs, {
      callback: (err, msg) => {
        if (err || !current) return;
        const at = Date.now();
        try {
          const job = BackupJobCodec.decode(msg.data);
          if (all.has(job.jobId)) return;
          const trace: JobTrace = { jobId: job.jobId, deviceId: job.deviceId, jobSeenAt: at };
          all.set(job.jobId, trace);
          current.jobs.set(job.jobId, trace);
        } catch {
          failures.push("UNDECODABLE_JOB");
        }
      },
    }),
    nc.subscribe(wire.subjects.snapshotsAll, {
      callback: (err, msg) => {
        const trace = err ? undefined : traceOfMsgId(msg.headers?.get("Nats-Msg-Id"));
        if (trace && trace.snapshotSeenAt === undefined) trace.snapshotSeenAt = Date.now();
      },
    }),
    nc.subscribe(wire.subjects.ingestedAll, {
      callback: (err, msg) => {
        if (err) return;
        const at = Date.now();
        try {
          const event = IngestedEventCodec.decode(msg.data);
          const trace = traceOfMsgId(event.sourceMsgId);
          if (!trace || trace.ingestedAt !== undefined) return;
          trace.ingestedAt = at;
          trace.changed = event.changed;
          trace.changes = event.changes;
          if (current?.jobs.has(trace.jobId)) {
            current.ingested++;
            current.notify();
          }
        } catch {
          failures.push("UNDECODABLE_INGESTED_EVENT");
        }
      },
    }),
    nc.subscribe(wire.subjects.backupFailedAll, {
      callback: (err, msg) => {
        if (err) return;
        try {
          failures.push(BackupFailedEventCodec.decode(msg.data).code);
        } catch {
          failures.push("UNDECODABLE_FAILED_EVENT");
        }
      },
    }),
    nc.subscribe(wire.subjects.deadLetterJobs, { callback: (err) => void (err || deadLetters.jobs++) }),
    nc.subscribe(wire.subjects.deadLetterIngest, { callback: (err) => void (err || deadLetters.ingest++) }),
  ];

  return {
    failures,
    deadLetters,
    collectorEvents,
    beginPass() {
      const pass = { jobs: new Map<string, JobTrace>(), ingested: 0, notify: () => {} };
      current = pass;
      return {
        jobs: pass.jobs,
        ingestedCount: () => pass.ingested,
        waitIngested(count, timeoutMs) {
          return new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => {
              pass.notify = () => {};
              reject(new BenchTimeoutError(`only ${pass.ingested} of ${count} jobs ingested in ${timeoutMs} ms`));
            }, timeoutMs);
            pass.notify = () => {
              if (pass.ingested < count) return;
              clearTimeout(timer);
              pass.notify = () => {};
              resolve();
            };
            pass.notify();
          });
        },
      };
    },
    collectorLog(label, record) {
      if (record.msg !== "backup done") {
        if (typeof record.msg === "string" && levelOf(record) >= 30 && typeof record.jobId === "string")
          collectorEvents.set(record.msg, (collectorEvents.get(record.msg) ?? 0) + 1);
        return;
      }
      const trace = typeof record.jobId === "string" ? all.get(record.jobId) : undefined;
      const timings = record.timings as PhaseTimings | undefined;
      const time = typeof record.time === "string" ? Date.parse(record.time) : Number(record.time);
      if (!trace || !timings || !Number.isFinite(time)) return;
      trace.collector = label;
      trace.timings = timings;
      trace.collectorStartAt = time - timings.totalMs;
    },
    close() {
      for (const sub of subs) sub.unsubscribe();
    },
  };
}
