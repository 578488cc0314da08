import { readFileSync } from "node:fs";
import { cpuMsOfStat } from "./proc-stat.js";

/**
 * CPU time (user + system, ms, 10 ms resolution) of the calling thread so far, from
 * `/proc/thread-self/stat`; null where that file does not exist. Node 20 has no per-thread
 * `process.cpuUsage` (`threadCpuUsage` arrived in Node 23.9).
 */
export function threadCpuMs(): number | null {
  try {
    return cpuMsOfStat(readFileSync("/proc/thread-self/stat", "utf8"));
  } catch {
    return null;
  }
}
