import { cpus } from "node:os";
import { performance } from "node:perf_hooks";

/** What one phase cost this process (and, for context, the whole machine). */
export interface ResourceUse {
  readonly wallMs: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  /** User + system CPU of this process (every thread); 1 000 ms per second = one core busy. */
  readonly cpuMs: number;
  /** cpuMs / wallMs × 100: 100 is one core saturated, 200 both cores of a 2-core box. */
  readonly cpuPercentOfOneCore: number;
  /** Part of cpuMs spent by the simulator's worker thread; null when the simulator shares the main thread. */
  readonly simCpuMs: number | null;
  /** Share of the wall time the main thread's event loop was busy (100: it was the bottleneck). */
  readonly eventLoopBusyPercent: number;
  /** Highest resident set size sampled during the phase (every 20 ms). */
  readonly peakRssBytes: number;
  /**
   * Busy share of all cores of the machine over the phase (0-100), from the kernel's per-CPU
   * counters: includes NATS, Redis and anything else running, so shows how contended the box was.
   */
  readonly machineBusyPercent: number;
}

const RSS_SAMPLE_MS = 20;

/**
 * Runs `fn` and reports its wall time, this process's CPU time, peak RSS and machine load.
 * `simCpuMs` reads the simulator thread's CPU so far, when it has its own thread.
 */
export async function measure<T>(
  fn: () => Promise<T>,
  simCpuMs: () => Promise<number | null> = async () => null,
): Promise<{ result: T; use: ResourceUse }> {
  let peakRssBytes = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
  }, RSS_SAMPLE_MS);
  const simBefore = await simCpuMs();
  const machineBefore = machineTimes();
  const loopBefore = performance.eventLoopUtilization();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  try {
    const result = await fn();
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const loop = performance.eventLoopUtilization(loopBefore);
    const machineAfter = machineTimes();
    const simAfter = await simCpuMs();
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
    const cpuUserMs = cpu.user / 1000;
    const cpuSystemMs = cpu.system / 1000;
    const total = machineAfter.total - machineBefore.total;
    return {
      result,
      use: {
        wallMs,
        cpuUserMs,
        cpuSystemMs,
        cpuMs: cpuUserMs + cpuSystemMs,
        cpuPercentOfOneCore: wallMs > 0 ? ((cpuUserMs + cpuSystemMs) / wallMs) * 100 : 0,
        simCpuMs: simBefore === null || simAfter === null ? null : simAfter - simBefore,
        eventLoopBusyPercent: loop.utilization * 100,
        peakRssBytes,
        machineBusyPercent: total > 0 ? ((total - (machineAfter.idle - machineBefore.idle)) / total) * 100 : 0,
      },
    };
  } finally {
    clearInterval(sampler);
  }
}

function machineTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const { times } of cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

/** Highest RSS of this process over its whole life (kernel maxrss), in bytes. */
export function lifetimePeakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
