import type { ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";

/** CPU time and resident set of a live process, from /proc (Linux only). */
export interface ProcessUsage {
  /** User + system CPU of every thread, in 10 ms clock ticks' resolution. */
  readonly cpuMs: number;
  readonly rssBytes: number;
}

/** {@link ProcessUsage} of process `pid` now. */
export async function processUsage(pid: number): Promise<ProcessUsage> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15 of proc(5))
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return { cpuMs: ticks * 10, rssBytes: rssKiB * 1024 };
}

/** Highest resident set of process `pid` so far (`VmHWM`), in bytes. */
export async function processPeakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) * 1024;
}

/** Resolves once the service `child` answers 200 on `/readyz` at `port`; throws if it exits or takes over `timeoutMs`. */
export async function waitForReady(child: ChildProcess, port: number, timeoutMs = 60_000): Promise<void> {
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    if (performance.now() - started > timeoutMs) throw new Error(`service not ready within ${timeoutMs} ms`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await delay(20);
  }
}
