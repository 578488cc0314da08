import { readFileSync } from "node:fs";
import { cpuMsOfStat } from "./proc-stat.js";

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
  try {
    return cpuMsOfStat(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}
