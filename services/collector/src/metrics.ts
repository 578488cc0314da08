import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** Phases timed per backup; `total` spans lock to release. */
export type BackupPhase = "lock" | "connect" | "export" | "publish" | "total";

/**
 * Collector metrics. Labels are small closed sets (outcome, driver, trigger, phase, code):
 * never tenant/device/job ids, hosts or anything secret, so cardinality stays bounded.
 */
export interface CollectorMetrics {
  readonly backups: Counter<"outcome" | "driver" | "trigger" | "code">;
  readonly phaseSeconds: Histogram<"phase" | "driver">;
  readonly inFlight: Gauge<"trigger">;
  readonly lockContention: Counter<"trigger">;
  readonly jobActions: Counter<"action">;
  readonly snapshotContent: Counter<"kind">;
}

/** Registers the collector's metrics on `registry` (one registry per collector instance). */
export function createCollectorMetrics(registry: Registry): CollectorMetrics {
  const registers = [registry];
  return {
    backups: new Counter({
      name: "netledger_collector_backups_total",
      help: "Backups finished, by outcome (success, locked, failed) and failure code (none on success).",
      labelNames: ["outcome", "driver", "trigger", "code"],
      registers,
    }),
    phaseSeconds: new Histogram({
      name: "netledger_collector_backup_phase_seconds",
      help: "Duration of each backup phase.",
      labelNames: ["phase", "driver"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    inFlight: new Gauge({
      name: "netledger_collector_backups_in_flight",
      help: "Backups currently running.",
      labelNames: ["trigger"],
      registers,
    }),
    lockContention: new Counter({
      name: "netledger_collector_lock_contention_total",
      help: "Backups skipped because another backup of the device held its lock.",
      labelNames: ["trigger"],
      registers,
    }),
    jobActions: new Counter({
      name: "netledger_collector_job_actions_total",
      help: "What the worker did with each delivered job (ack, nak, term, dead-letter).",
      labelNames: ["action"],
      registers,
    }),
    snapshotContent: new Counter({
      name: "netledger_collector_snapshot_content_total",
      help: "Snapshots published, by what they carried: inline or object (sealed text), or stored (the text repeated the device's latest version and was not sent).",
      labelNames: ["kind"],
      registers,
    }),
  };
}
