import { readFile } from "node:fs/promises";

/** Linux reports process and thread CPU in clock ticks of USER_HZ, 100 on every mainstream kernel build. */
const TICKS_PER_SECOND = 100;

/**
 * User + system CPU milliseconds (10 ms resolution) from the text of a `/proc/<pid>/stat` or
 * `/proc/thread-self/stat` file; null when it does not parse. Fields after "(comm)": state is
 * field 3, utime 14, stime 15 (proc(5)); comm may hold spaces and parentheses, so the split
 * starts after the last ")".
 */
export function cpuMsOfStat(stat: string): number | null {
  const close = stat.lastIndexOf(")");
  if (close < 0) return null;
  const fields = stat.slice(close + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return fields.length > 12 && Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : null;
}

/** Resident set now (`VmRSS`) and its peak over the process's life (`VmHWM`), in bytes, from `/proc/<pid>/status`. */
export function memoryOfStatus(status: string): { rssBytes: number; peakRssBytes: number } | null {
  const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  const rss = kib("VmRSS");
  const hwm = kib("VmHWM");
  return Number.isFinite(rss) && Number.isFinite(hwm) ? { rssBytes: rss * 1024, peakRssBytes: hwm * 1024 } : null;
}

/** What a live process has used so far. */
export interface ProcessUsage {
  readonly cpuMs: number;
  readonly rssBytes: number;
  /** Kernel high-water mark of the resident set over the process's whole life. */
  readonly peakRssBytes: number;
}

/** CPU (every thread, user + system) and memory of a live process from /proc; null once it is gone or off Linux. */
export async function readProcessUsage(pid: number): Promise<ProcessUsage | null> {
  try {
    const [stat, status] = await Promise.all([
      readFile(`/proc/${pid}/stat`, "utf8"),
      readFile(`/proc/${pid}/status`, "utf8"),
    ]);
    const cpuMs = cpuMsOfStat(stat);
    const memory = memoryOfStatus(status);
    return cpuMs === null || memory === null ? null : { cpuMs, ...memory };
  } catch {
    return null;
  }
}
