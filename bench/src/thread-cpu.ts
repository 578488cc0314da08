import { readFileSync } from "node:fs";

/** Linux reports thread CPU in clock ticks of USER_HZ, 100 on every mainstream kernel build. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system, ms, 10 ms resolution) of the calling thread so far, from
 * `/proc/thread-self/stat`; null where that file does not exist. Node 20 has no per-thread
 * `process.cpuUsage` (`threadCpuUsage` arrived in Node 23.9).
 */
export function threadCpuMs(): number | null {
  return statCpuMs("/proc/thread-self/stat");
}

/** CPU time (user + system, ms) of process `pid` of this host so far; null where it cannot be read. */
export function processCpuMs(pid: number): number | null {
  return statCpuMs(`/proc/${pid}/stat`);
}

function statCpuMs(path: string): number | null {
  let stat: string;
  try {
    stat = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  // Fields after "(comm)": state is field 3, utime 14, stime 15 (proc(5)); comm may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : null;
}
