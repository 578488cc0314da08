import { Counter, type Registry } from "prom-client";

/** Retention sweep metrics; the one label is a closed set (snapshots, diffs, changes). */
export interface RetentionMetrics {
  readonly deleted: Counter<"kind">;
  readonly sweeps: Counter;
}

export function createRetentionMetrics(registry: Registry): RetentionMetrics {
  const registers = [registry];
  return {
    deleted: new Counter({
      name: "netledger_retention_deleted_total",
      help: "Rows the retention sweep deleted, by kind (snapshots, diffs, changes).",
      labelNames: ["kind"],
      registers,
    }),
    sweeps: new Counter({
      name: "netledger_retention_sweeps_total",
      help: "Retention sweeps finished.",
      registers,
    }),
  };
}
