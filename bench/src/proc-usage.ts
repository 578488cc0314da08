import type { ChildProcess } from "node:child_process";
import { setTimeout as delay } from "node:timers/promises";
import { type ProcessUsage, readProcessUsage } from "./proc-stat.js";

export type { ProcessUsage };

/** {@link ProcessUsage} of the live process `pid` now (from /proc; throws once it is gone or off Linux). */
export async function processUsage(pid: number): Promise<ProcessUsage> {
  const usage = await readProcessUsage(pid);
  if (usage === null) throw new Error(`cannot read /proc/${pid}`);
  return usage;
}

/** Highest resident set of process `pid` so far (`VmHWM`), in bytes. */
export async function processPeakRss(pid: number): Promise<number> {
  return (await processUsage(pid)).peakRssBytes;
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
