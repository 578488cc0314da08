import { cpus, loadavg, release, totalmem } from "node:os";

/** The machine a run was measured on: figures mean little without it. */
export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly os: string;
  readonly totalMemoryBytes: number;
  /** 1, 5 and 15 minute load averages when the run started (other work on a shared box shows here). */
  readonly loadAverageAtStart: readonly [number, number, number];
}

export function describeMachine(): MachineInfo {
  const list = cpus();
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? "unknown",
    node: process.version,
    os: `${process.platform} ${release()} ${process.arch}`,
    totalMemoryBytes: totalmem(),
    loadAverageAtStart: [one, five, fifteen],
  };
}
