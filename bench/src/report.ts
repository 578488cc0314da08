import type { PhaseTimings } from "@netledger/contracts";
import type { BenchOptions } from "./cli-args.js";
import type { MachineInfo } from "./machine.js";
import type { ResourceUse } from "./resources.js";
import { type Summary, summarize } from "./stats.js";
import type { Check } from "./verify.js";

export type PipelinePhase = "lock" | "connect" | "export" | "publish" | "total";

/** Figures of one pass over the fleet. */
export interface PhaseReport {
  readonly name: "bare-ssh2" | "collector-jobs" | "collector-triggers";
  readonly devices: number;
  readonly succeeded: number;
  readonly devicesPerSecond: number;
  /** Per-device latency; what it spans is in `latencyMeaning`. */
  readonly latencyMs: Summary | null;
  readonly latencyMeaning: string;
  /** Bare: raw export bytes read. Collector: normalized bytes published (before gzip and sealing). */
  readonly bytes: number;
  readonly resources: ResourceUse;
  /** The pipeline's own per-backup timings (lock = from start until the lock was held; total = until the PubAck). */
  readonly pipelineMs?: Readonly<Record<PipelinePhase, Summary | null>>;
  readonly extra?: Readonly<Record<string, number>>;
}

export interface BenchReport {
  readonly command: string;
  readonly machine: MachineInfo;
  readonly options: BenchOptions;
  readonly setupMs: number;
  readonly phases: readonly PhaseReport[];
  readonly checks: readonly Check[];
  readonly lifetimePeakRssBytes: number;
  readonly ok: boolean;
}

/** Summaries of each pipeline phase over a set of successful backups. */
export function pipelineSummary(timings: readonly PhaseTimings[]): Record<PipelinePhase, Summary | null> {
  return {
    lock: summarize(timings.map((t) => t.lockMs)),
    connect: summarize(timings.map((t) => t.connectMs)),
    export: summarize(timings.map((t) => t.exportMs)),
    publish: summarize(timings.map((t) => t.publishMs)),
    total: summarize(timings.map((t) => t.totalMs)),
  };
}

const TITLES: Record<PhaseReport["name"], string> = {
  "bare-ssh2": "A  bare ssh2",
  "collector-jobs": "B  collector, jobs",
  "collector-triggers": "B' collector, triggers",
};

const MB = 1024 * 1024;
const ms = (v: number | undefined): string => (v === undefined ? "-" : v.toFixed(0));

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The human-readable report: throughput table, pipeline timings, checks, machine, command. */
export function renderText(report: BenchReport): string {
  const { options: o, machine: m } = report;
  const throughput = table(
    [
      "phase",
      "ok/total",
      "wall s",
      "dev/s",
      "p50 ms",
      "p95 ms",
      "p99 ms",
      "MiB",
      "CPU s",
      "sim CPU s",
      "CPU ms/dev",
      "non-sim ms/dev",
      "CPU %1c",
      "loop busy %",
      "peak RSS MiB",
      "box busy %",
    ],
    report.phases.map((p) => {
      const r = p.resources;
      return [
        TITLES[p.name],
        `${p.succeeded}/${p.devices}`,
        (r.wallMs / 1000).toFixed(2),
        p.devicesPerSecond.toFixed(1),
        ms(p.latencyMs?.p50),
        ms(p.latencyMs?.p95),
        ms(p.latencyMs?.p99),
        (p.bytes / MB).toFixed(1),
        (r.cpuMs / 1000).toFixed(2),
        r.simCpuMs === null ? "-" : (r.simCpuMs / 1000).toFixed(2),
        (r.cpuMs / p.devices).toFixed(1),
        r.simCpuMs === null ? "-" : ((r.cpuMs - r.simCpuMs) / p.devices).toFixed(1),
        r.cpuPercentOfOneCore.toFixed(0),
        r.eventLoopBusyPercent.toFixed(0),
        (r.peakRssBytes / MB).toFixed(0),
        r.machineBusyPercent.toFixed(0),
      ];
    }),
  );
  const pipelineRows = report.phases.flatMap((p) =>
    p.pipelineMs
      ? Object.entries(p.pipelineMs).map(([phase, s]) => [
          `${TITLES[p.name]} / ${phase}`,
          ms(s?.p50),
          ms(s?.p95),
          ms(s?.p99),
          ms(s?.max),
          String(s?.count ?? 0),
        ])
      : [],
  );
  const extras = report.phases.flatMap((p) =>
    Object.entries(p.extra ?? {}).map(([k, v]) => `  ${TITLES[p.name]}: ${k} = ${v.toFixed(0)} ms`),
  );
  const [one, five, fifteen] = m.loadAverageAtStart;
  return [
    `NetLedger collector pass: ${o.devices} devices, ${o.latencyMs} ms per command, ${o.concurrency} concurrent, ${o.configBytes} B synthetic configs (seed ${o.seed})`,
    `machine: ${m.cores} cores (${m.cpuModel}), ${(m.totalMemoryBytes / 1024 ** 3).toFixed(1)} GiB, node ${m.node}, ${m.os}; load average at start ${one.toFixed(2)} / ${five.toFixed(2)} / ${fifteen.toFixed(2)}`,
    o.simThread
      ? "simulator on a worker thread of this process; client and collector on the main thread; NATS and Redis are separate local processes"
      : "simulator, client and collector share this process's one event loop (in-process lower bound); NATS and Redis are separate local processes",
    "",
    throughput,
    "",
    "p50/p95/p99: latency per device",
    ...report.phases.map((p) => `  ${TITLES[p.name]}: ${p.latencyMeaning}`),
    "",
    "collector pipeline timings per backup (ms)",
    table(["phase", "p50", "p95", "p99", "max", "n"], pipelineRows),
    ...(extras.length ? ["", ...extras] : []),
    "",
    `setup (world + fleet, not measured above): ${(report.setupMs / 1000).toFixed(1)} s; process peak RSS over the run: ${(report.lifetimePeakRssBytes / MB).toFixed(0)} MiB`,
    "",
    "checks",
    ...report.checks.map((c) => `  ${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`),
    "",
    `result: ${report.ok ? "PASS" : "FAIL"}`,
    `reproduce: ${report.command}`,
  ].join("\n");
}
