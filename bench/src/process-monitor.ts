import { type ProcessUsage, readProcessUsage } from "./proc-stat.js";

/** What one process used over a window. */
export interface ProcessWindowUse {
  readonly label: string;
  readonly pid: number;
  /** User + system CPU over the window, every thread. */
  readonly cpuMs: number;
  /** Highest RSS sampled during the window (every `sampleMs`) and at its ends. */
  readonly peakRssBytes: number;
  readonly endRssBytes: number;
  /** Kernel high-water mark over the process's life, at the end of the window. */
  readonly lifetimePeakRssBytes: number;
}

export interface ProcessMonitor {
  /** Starts a window: CPU is counted and RSS peaks are tracked from now. One window at a time. */
  begin(): Promise<void>;
  /** Ends the window and returns each process's use over it (processes that vanished are left out). */
  end(): Promise<ProcessWindowUse[]>;
  stop(): void;
}

/**
 * Samples the resident set of a set of processes every `sampleMs` from /proc (the same for the
 * services, the simulator and this process: one way of measuring), and reads their CPU at the
 * ends of each window. Linux only; elsewhere every window is empty.
 */
export function monitorProcesses(processes: readonly { label: string; pid: number }[], sampleMs = 100): ProcessMonitor {
  const peaks = new Map<number, number>();
  let start = new Map<number, ProcessUsage>();
  let sampling = false;
  const timer = setInterval(async () => {
    if (sampling) return;
    sampling = true;
    for (const { pid } of processes) {
      const usage = await readProcessUsage(pid);
      if (usage) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, usage.rssBytes));
    }
    sampling = false;
  }, sampleMs);
  timer.unref();
  const readAll = async () =>
    new Map(
      (await Promise.all(processes.map(async (p) => [p.pid, await readProcessUsage(p.pid)] as const))).filter(
        (e): e is readonly [number, ProcessUsage] => e[1] !== null,
      ),
    );
  return {
    async begin() {
      start = await readAll();
      peaks.clear();
      for (const [pid, usage] of start) peaks.set(pid, usage.rssBytes);
    },
    async end() {
      const now = await readAll();
      return processes.flatMap(({ label, pid }) => {
        const before = start.get(pid);
        const after = now.get(pid);
        if (!before || !after) return [];
        return [
          {
            label,
            pid,
            cpuMs: after.cpuMs - before.cpuMs,
            peakRssBytes: Math.max(peaks.get(pid) ?? 0, after.rssBytes),
            endRssBytes: after.rssBytes,
            lifetimePeakRssBytes: after.peakRssBytes,
          },
        ];
      });
    },
    stop() {
      clearInterval(timer);
    },
  };
}
