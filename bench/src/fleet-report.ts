import type { FleetOptions } from "./fleet-args.js";
import type { MachineInfo } from "./machine.js";
import type { Summary } from "./stats.js";
import type { Check } from "./verify.js";

/** Per-device phases of a scheduled pass (see bench/README.md, `fleet`, for what each spans). */
export const FLEET_PHASES = ["schedule", "queueWait", "lock", "collect", "publish", "ingest", "endToEnd"] as const;
export type FleetPhase = (typeof FLEET_PHASES)[number];

/** One process over one pass. */
export interface ProcessFigures {
  readonly label: string;
  readonly cpuMs: number;
  /** Backups this process did in the pass (a collector's own; the fleet's for the others). */
  readonly backups: number;
  readonly cpuMsPerBackup: number | null;
  /** Null where a process's RSS says nothing (PostgreSQL's backends share its buffers). */
  readonly peakRssMiB: number | null;
  readonly endRssMiB: number | null;
  /** Services only, peaks over the pass from their `/metrics` (sampled): V8 heap reserved and used, memory outside it. */
  readonly heapTotalMiB?: number | null;
  readonly heapUsedMiB?: number | null;
  readonly externalMiB?: number | null;
}

export interface FleetPassReport {
  readonly name: "bare-ssh2" | "pass-1" | "pass-2";
  readonly devices: number;
  readonly succeeded: number;
  /** Bare: first connect to last close. Scheduled: first job on the wire to the last ingested event. */
  readonly wallMs: number;
  /** Scheduled passes: from the due-time update (includes waiting for the scheduler's tick). */
  readonly wallFromDueMs: number | null;
  readonly devicesPerSecond: number;
  /** devices/s over the bare pass's devices/s in the same run. */
  readonly ratioToBare: number | null;
  readonly processes: readonly ProcessFigures[];
  readonly phasesMs: Readonly<Partial<Record<FleetPhase, Summary | null>>>;
  /** Most jobs waiting in the work queue (pending + held by collectors) at one sample. */
  readonly maxJobsQueued: number | null;
  /** Most snapshots not yet ingested (pending + held by the ingestor) at one sample. */
  readonly maxSnapshotsQueued: number | null;
  readonly machineBusyPercent: number;
  readonly loadAverage: readonly number[];
}

export interface FleetReport {
  readonly command: string;
  readonly date: string;
  readonly commit: string;
  readonly machine: MachineInfo;
  readonly loadAverageAtEnd: readonly number[];
  readonly options: FleetOptions;
  readonly passes: readonly FleetPassReport[];
  /** What the run left in the streams (messages and bytes, JetStream's own accounting), for write-rate arithmetic. */
  readonly streams: Readonly<Record<"snapshots" | "events", { messages: number; bytes: number }>>;
  readonly checks: readonly Check[];
  readonly ok: boolean;
}

const f0 = (n: number | null | undefined): string => (n === null || n === undefined ? "-" : n.toFixed(0));
const f1 = (n: number | null | undefined): string => (n === null || n === undefined ? "-" : n.toFixed(1));
const f2 = (n: number | null | undefined): string => (n === null || n === undefined ? "-" : n.toFixed(2));

/** Rows of cells as a markdown table (header first) or as aligned text columns. */
export function renderTable(rows: readonly (readonly string[])[], markdown: boolean): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const line = (r: readonly string[]) =>
    markdown
      ? `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`
      : r
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join("  ")
          .trimEnd();
  const [head, ...body] = rows;
  const rule = markdown
    ? `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`
    : widths.map((w) => "-".repeat(w)).join("  ");
  return [line(head!), rule, ...body.map(line)].join("\n");
}

/** The whole report as text or markdown: passes, processes, phases, checks, then the command. */
export function renderFleetReport(report: FleetReport, markdown: boolean): string {
  const { machine, options } = report;
  const out: string[] = [];
  const load = (l: readonly number[]) => l.map((x) => x.toFixed(2)).join(" ");
  out.push(
    `${markdown ? "**fleet benchmark** " : "fleet benchmark: "}${report.date}, commit ${report.commit}; ` +
      `${machine.cores} cores ${machine.cpuModel}, ${machine.node}; load average ${load(machine.loadAverageAtStart)} at start, ${load(report.loadAverageAtEnd)} at end`,
  );
  out.push(
    `${options.devices} devices (${options.configBytes} B configs, ${options.latencyMs} ms per command), ` +
      `${options.collectors} collectors × ${options.concurrency}, ${options.changedPct} % changed before pass 2, ` +
      `scheduler tick ${options.tickMs} ms${options.unpinned ? ", unpinned devices" : ""}` +
      `${options.collectorNodeOptions ? `, collector Node flags ${options.collectorNodeOptions}` : ""}` +
      `${options.ingestorNodeOptions ? `, ingestor Node flags ${options.ingestorNodeOptions}` : ""}`,
  );
  out.push("");
  out.push(
    renderTable(
      [
        [
          "pass",
          "devices",
          "ok",
          "wall s",
          "dev/s",
          "× bare",
          "wall from due s",
          "max jobs queued",
          "max snapshots queued",
          "box busy %",
          "load",
        ],
        ...report.passes.map((p) => [
          p.name,
          String(p.devices),
          String(p.succeeded),
          f1(p.wallMs / 1000),
          f1(p.devicesPerSecond),
          f2(p.ratioToBare),
          f1(p.wallFromDueMs === null ? null : p.wallFromDueMs / 1000),
          f0(p.maxJobsQueued),
          f0(p.maxSnapshotsQueued),
          f0(p.machineBusyPercent),
          load(p.loadAverage.slice(0, 1)),
        ]),
      ],
      markdown,
    ),
  );
  out.push("");
  out.push(
    renderTable(
      [
        [
          "pass",
          "process",
          "CPU s",
          "backups",
          "CPU ms/backup",
          "peak RSS MiB",
          "end RSS MiB",
          "heap total/used, external MiB",
        ],
        ...report.passes.flatMap((p) =>
          p.processes.map((proc) => [
            p.name,
            proc.label,
            f2(proc.cpuMs / 1000),
            String(proc.backups),
            f2(proc.cpuMsPerBackup),
            f0(proc.peakRssMiB),
            f0(proc.endRssMiB),
            proc.heapTotalMiB == null
              ? "-"
              : `${f0(proc.heapTotalMiB)}/${f0(proc.heapUsedMiB)}, ${f0(proc.externalMiB)}`,
          ]),
        ),
      ],
      markdown,
    ),
  );
  const scheduled = report.passes.filter((p) => p.name !== "bare-ssh2");
  if (scheduled.length > 0) {
    out.push("");
    out.push(
      renderTable(
        [
          ["phase (ms, p50 / p99)", ...scheduled.map((p) => p.name)],
          ...FLEET_PHASES.map((phase) => [
            phase,
            ...scheduled.map((p) => {
              const s = p.phasesMs[phase];
              return s ? `${f0(s.p50)} / ${f0(s.p99)}` : "-";
            }),
          ]),
        ],
        markdown,
      ),
    );
  }
  out.push("");
  for (const [name, st] of Object.entries(report.streams ?? {}))
    out.push(`${name} stream: ${st.messages} messages, ${f0(st.bytes / Math.max(1, st.messages))} bytes per message`);
  out.push("");
  for (const check of report.checks)
    out.push(`${markdown ? "- " : ""}${check.ok ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`);
  out.push("");
  out.push(`${report.ok ? "all checks passed" : "SOME CHECKS FAILED"}; reproduce with:`);
  out.push(markdown ? `\`${report.command}\`` : report.command);
  return out.join("\n");
}
