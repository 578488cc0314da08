import { parseArgs } from "node:util";
import { startBenchWorld } from "./bench-world.js";
import { DEFAULT_OPTIONS } from "./cli-args.js";
import { startCollectorHost } from "./collector-host.js";

/**
 * Peak memory of one backup against the size of its export: `npm run -w @netledger/bench memory`
 * (`-- --bytes 20000000 --runs 3`). Needs `--expose-gc` (the npm script passes it).
 *
 * The simulated device runs on a worker thread (its own V8 heap), the collector's pipeline on the
 * main thread. Before each backup a full GC; during it, the main isolate's `heapUsed + external`
 * (external counts Buffers) is sampled every 2 ms; the figure is the highest sample above the
 * level before the backup, divided by the export's size. Garbage not yet collected counts, as it
 * does for the process's RSS.
 */
const { values } = parseArgs({
  options: { bytes: { type: "string", default: "20000000" }, runs: { type: "string", default: "3" } },
});
const bytes = Number(values.bytes);
const runs = Number(values.runs);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc (npm run -w @netledger/bench memory)");

const world = await startBenchWorld({
  ...DEFAULT_OPTIONS,
  devices: 1,
  latencyMs: 0,
  configBytes: bytes,
  simThread: true,
});
const host = await startCollectorHost(world.world, 1);
try {
  const device = world.devices[0]!;
  const exportBytes = device.sim.exportBytes;
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  const ratios: number[] = [];
  for (let run = 1; run <= runs; run++) {
    gc();
    const base = used();
    let peak = base;
    const sampler = setInterval(() => {
      peak = Math.max(peak, used());
    }, 2);
    const outcome = await host.collector.backup({
      trigger: "manual",
      tenantId: device.tenantId,
      deviceId: device.deviceId,
      device: device.target,
      snapshotMsgId: `memory:${run}:${Date.now()}`,
      failureMsgId: `memory-failed:${run}:${Date.now()}`,
    });
    clearInterval(sampler);
    peak = Math.max(peak, used());
    if (outcome.kind !== "success") throw new Error(`backup ${run}: ${outcome.kind}`);
    const ratio = (peak - base) / exportBytes;
    ratios.push(ratio);
    process.stderr.write(
      `run ${run}: export ${(exportBytes / 1e6).toFixed(1)} MB, peak +${((peak - base) / 1e6).toFixed(1)} MB = ${ratio.toFixed(2)}x\n`,
    );
  }
  const worst = Math.max(...ratios);
  console.log(
    JSON.stringify({
      exportBytes,
      runs,
      ratios: ratios.map((r) => Number(r.toFixed(2))),
      worst: Number(worst.toFixed(2)),
    }),
  );
} finally {
  await host.close();
  await world.close();
}
