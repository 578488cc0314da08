import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { COLLECTOR_NODE_FLAGS } from "@netledger/collector";
import { startBenchWorld } from "./bench-world.js";
import { DEFAULT_OPTIONS, nodeFlagsOf } from "./cli-args.js";
import { startCollectorHost } from "./collector-host.js";
import { startCollectorProcess } from "./collector-process.js";
import { runJobsPass } from "./jobs-pass.js";
import { processPeakRss, processUsage } from "./proc-usage.js";
import { watchSnapshots } from "./snapshot-watch.js";

/**
 * Peak memory of one backup against the size of its export: `npm run -w @netledger/bench memory`
 * (`-- --bytes 20000000 --runs 4 [--collector process] [--devices 4]`). The simulated devices run on a worker
 * thread (its own V8 heap); the collector either on the main thread (`in-process`, default) or
 * in a child process started from the bundle (`process`, after `npm run build`).
 *
 * - `in-process`: before each backup a full GC (`--expose-gc`, set by the script); during it, the
 *   main isolate's `heapUsed`, `external` and `arrayBuffers` (Buffers) are sampled every 2 ms. The
 *   figure is the highest `heapUsed + external` above the level before the backup: what the backup
 *   allocated and V8 had not yet collected (garbage counts, as it does in RSS until collected).
 *   Also printed: what is still held after the backup and a full GC (should be ~0).
 * - `process`: the collector process's resident set, what an operator sizes a pod by. Before each
 *   backup its peak-RSS mark is reset (`/proc/PID/clear_refs` 5, Linux, root or same user); after
 *   it, the peak (`VmHWM`) above the RSS before. Includes V8 growing its heap (kept after the
 *   first backups) and garbage not yet collected; excludes the simulator (another process).
 *   Also printed: the peak above the collector's RSS when it became ready (idle), which is what
 *   a replica needs on top of its idle footprint, since V8 keeps the heap it grew.
 */
const { values } = parseArgs({
  options: {
    bytes: { type: "string", default: "20000000" },
    runs: { type: "string", default: "3" },
    collector: { type: "string", default: "in-process" },
    bundle: { type: "string", default: "dist/collector.mjs" },
    /** Node flags of the collector process (`process` only): those a replica ships with unless given; "" for Node's defaults. */
    "collector-node-options": { type: "string", default: COLLECTOR_NODE_FLAGS.join(" ") },
    /** Backups run first and not measured: the first backup of a process also compiles the code it runs. */
    warmup: { type: "string", default: "1" },
    /** Devices backed up at once, each with an export of `--bytes`; ratios are over their sum. */
    devices: { type: "string", default: "1" },
  },
});
const bytes = Number(values.bytes);
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const deviceCount = Number(values.devices);
const mode = values.collector;
if (mode !== "in-process" && mode !== "process") throw new Error("--collector is in-process or process");
const gc = (globalThis as { gc?: () => void }).gc;
if (mode === "in-process" && !gc) throw new Error("run with node --expose-gc (npm run -w @netledger/bench memory)");
const MB = 1e6;
/** The young generation a collector ships with: in-process, the collector shares this process's heap. */
const shippedSemiSpace = COLLECTOR_NODE_FLAGS.find((flag) => flag.startsWith("--max-semi-space-size="));
if (mode === "in-process" && shippedSemiSpace && !process.execArgv.includes(shippedSemiSpace)) {
  process.stderr.write(
    `note: this process runs without ${shippedSemiSpace}, the collector's shipped young generation\n`,
  );
}
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

const world = await startBenchWorld({
  ...DEFAULT_OPTIONS,
  devices: deviceCount,
  latencyMs: 0,
  configBytes: bytes,
  simThread: true,
});
/** What the backups of one run read: every device's export. */
const exportBytes = world.devices.reduce((sum, device) => sum + device.sim.exportBytes, 0);
const ratios: number[] = [];
/** `process` only: each backup's peak RSS above the collector's RSS when it became ready. */
const aboveIdleRatios: number[] = [];
process.stderr.write(`load average at start: ${load()}\n`);
try {
  if (mode === "in-process") await inProcess();
  else await childProcess();
  const worst = Math.max(...ratios);
  console.log(
    JSON.stringify({
      collector: mode,
      measured:
        mode === "in-process"
          ? "heapUsed+external peak above pre-backup level"
          : "collector RSS peak above pre-backup RSS",
      exportBytes,
      devices: deviceCount,
      runs,
      warmup,
      ratios: ratios.map((r) => Number(r.toFixed(2))),
      worst: Number(worst.toFixed(2)),
      ...(mode === "process" && { aboveIdle: aboveIdleRatios.map((r) => Number(r.toFixed(2))) }),
      load: load(),
    }),
  );
} finally {
  await world.close();
}

async function inProcess(): Promise<void> {
  const host = await startCollectorHost(world.world, deviceCount);
  try {
    const sample = () => process.memoryUsage();
    // Backing stores of collected Buffers are freed by a background sweeper: collect, let it run, collect.
    const settle = async (): Promise<void> => {
      gc!();
      await new Promise((resolve) => setTimeout(resolve, 200));
      gc!();
    };
    for (let run = 1 - warmup; run <= runs; run++) {
      const label = run >= 1 ? `run ${run}` : `warm-up ${run + warmup} (not counted)`;
      await settle();
      const base = sample();
      const peak = { used: 0, external: 0, arrayBuffers: 0, heapUsed: 0 };
      const take = (): void => {
        const m = sample();
        peak.used = Math.max(peak.used, m.heapUsed + m.external - base.heapUsed - base.external);
        peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed - base.heapUsed);
        peak.external = Math.max(peak.external, m.external - base.external);
        peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers - base.arrayBuffers);
      };
      const sampler = setInterval(take, 2);
      const outcomes = await Promise.all(
        world.devices.map((device, i) =>
          host.collector.backup({
            trigger: "manual",
            tenantId: device.tenantId,
            deviceId: device.deviceId,
            device: device.target,
            snapshotMsgId: `memory:${run}:${i}:${Date.now()}`,
            failureMsgId: `memory-failed:${run}:${i}:${Date.now()}`,
          }),
        ),
      );
      clearInterval(sampler);
      take();
      const failed = outcomes.find((outcome) => outcome.kind !== "success");
      if (failed) throw new Error(`${label}: ${failed.kind}`);
      await settle();
      const after = sample();
      const held = after.heapUsed + after.external - base.heapUsed - base.external;
      const ratio = peak.used / exportBytes;
      if (run >= 1) ratios.push(ratio);
      process.stderr.write(
        `${label}: ${deviceCount === 1 ? "export" : `${deviceCount} exports at once,`} ${(exportBytes / MB).toFixed(1)} MB, heap+external peak +${(peak.used / MB).toFixed(1)} MB = ${ratio.toFixed(2)}x ` +
          `(heap +${(peak.heapUsed / MB).toFixed(1)}, external +${(peak.external / MB).toFixed(1)} of which arrayBuffers +${(peak.arrayBuffers / MB).toFixed(1)}); ` +
          `held after GC +${(held / MB).toFixed(1)} MB\n`,
      );
    }
  } finally {
    await host.close();
  }
}

async function childProcess(): Promise<void> {
  const collector = await startCollectorProcess(world.world, {
    mode: "bundle",
    bundle: values.bundle,
    concurrency: deviceCount,
    nodeOptions: nodeFlagsOf(values["collector-node-options"]),
  });
  const watch = watchSnapshots(world.world.nc, world.world.wire);
  try {
    const start = await processUsage(collector.pid);
    process.stderr.write(`collector process ready: RSS ${(start.rssBytes / MB).toFixed(0)} MB\n`);
    for (let run = 1 - warmup; run <= runs; run++) {
      const label = run >= 1 ? `run ${run}` : `warm-up ${run + warmup} (not counted)`;
      const before = await processUsage(collector.pid);
      await writeFile(`/proc/${collector.pid}/clear_refs`, "5");
      const doneBefore = collector.done();
      await runJobsPass(world.world, world.devices, watch, {
        runId: `memory-${randomBytes(4).toString("hex")}-${run}`,
        timeoutMs: 300_000,
      });
      await collector.waitForDone(doneBefore + deviceCount);
      if (watch.failures.length > 0) throw new Error(`${label} failed: ${watch.failures.join(", ")}`);
      const peak = (await processPeakRss(collector.pid)) - before.rssBytes;
      const after = await processUsage(collector.pid);
      const ratio = peak / exportBytes;
      const aboveIdle = peak + before.rssBytes - start.rssBytes;
      if (run >= 1) {
        ratios.push(ratio);
        aboveIdleRatios.push(aboveIdle / exportBytes);
      }
      process.stderr.write(
        `${label}: ${deviceCount === 1 ? "export" : `${deviceCount} exports at once,`} ${(exportBytes / MB).toFixed(1)} MB, RSS before ${(before.rssBytes / MB).toFixed(0)} MB, ` +
          `peak +${(peak / MB).toFixed(1)} MB = ${ratio.toFixed(2)}x, after ${(after.rssBytes / MB).toFixed(0)} MB; ` +
          `peak above the idle collector ${(aboveIdle / MB).toFixed(1)} MB = ${(aboveIdle / exportBytes).toFixed(2)}x\n`,
      );
    }
  } finally {
    watch.close();
    await collector.stop();
  }
}
