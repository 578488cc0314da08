/**
 * `npm run -w @netledger/bench collector-cpu`: CPU per backup of one collector **process** alone.
 * The simulated fleet runs on a worker thread of this process and the collector in a child
 * process (`collector-process.ts`), started as production starts it (`bundle`: `node
 * dist/collector.mjs`, after `npm run build`; `--bundle PATH` runs another build, e.g. of an older
 * commit, for a before/after on the same box at the same time) or as development does (`tsx`).
 * Each pass publishes one BackupJob per device and waits until every snapshot is on the wire and
 * every job acked; the child's CPU (user + system, every thread, from /proc) over the pass divided
 * by the devices is the figure. The first pass includes JIT warm-up; start-up is in none.
 * `--node-options="FLAGS"` starts the collector with those Node flags instead of the ones a
 * replica ships with (`COLLECTOR_NODE_FLAGS`); `--node-options=` for Node's defaults.
 * `--first-version` sends each job as for a device with no stored version (`lastSnapshotBytes:
 * null`), so every export is read twice, as in the first pass of the fleet benchmark.
 * `--unchanged` sends each job after the first pass with the sha256 its device's export had in
 * the first pass (`lastSnapshotSha256`), as the scheduler does for a device whose latest version
 * is stored: an unchanged export is then neither gzipped, sealed nor sent (`content: stored`).
 * `--cpu-prof DIR` runs the child with `node --cpu-prof` (the profile covers its whole life,
 * start-up included); summarize it with `npm run -w @netledger/bench cpu-profile-top -- FILE`.
 */
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { COLLECTOR_NODE_FLAGS } from "@netledger/collector";
import { SnapshotEventCodec } from "@netledger/contracts";
import { startBenchWorld } from "./bench-world.js";
import { DEFAULT_OPTIONS, nodeFlagsOf } from "./cli-args.js";
import { type CollectorProcess, startCollectorProcess } from "./collector-process.js";
import { runJobsPass } from "./jobs-pass.js";
import { processPeakRss, processUsage } from "./proc-usage.js";
import { watchSnapshots } from "./snapshot-watch.js";

const { values } = parseArgs({
  options: {
    devices: { type: "string", default: "300" },
    passes: { type: "string", default: "3" },
    mode: { type: "string", default: "bundle" },
    bundle: { type: "string", default: "dist/collector.mjs" },
    concurrency: { type: "string", default: "100" },
    "latency-ms": { type: "string", default: "200" },
    "config-bytes": { type: "string", default: String(DEFAULT_OPTIONS.configBytes) },
    "cpu-prof": { type: "string" },
    "first-version": { type: "boolean", default: false },
    unchanged: { type: "boolean", default: false },
    "node-options": { type: "string", default: COLLECTOR_NODE_FLAGS.join(" ") },
  },
});
const devices = Number(values.devices);
const passes = Number(values.passes);
const mode = values.mode;
const concurrency = Number(values.concurrency);
const latencyMs = Number(values["latency-ms"]);
const configBytes = Number(values["config-bytes"]);
if (mode !== "bundle" && mode !== "tsx") throw new Error(`--mode must be bundle or tsx, not ${mode}`);
const profDir = values["cpu-prof"];
const firstVersion = values["first-version"] === true;
const unchanged = values.unchanged === true;
if (firstVersion && unchanged) throw new Error("--first-version and --unchanged exclude each other");
const nodeOptions = nodeFlagsOf(values["node-options"]);
const command = `npm run -w @netledger/bench collector-cpu -- --mode ${mode}${mode === "bundle" ? ` --bundle ${values.bundle}` : ""} --devices ${devices} --passes ${passes} --concurrency ${concurrency} --latency-ms ${latencyMs} --config-bytes ${configBytes}${firstVersion ? " --first-version" : ""}${unchanged ? " --unchanged" : ""} "--node-options=${nodeOptions.join(" ")}"${profDir ? ` --cpu-prof ${profDir}` : ""}`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const progress = (message: string): void => void process.stderr.write(`[collector-cpu] ${message}\n`);

const bw = await startBenchWorld({ ...DEFAULT_OPTIONS, devices, latencyMs, concurrency, configBytes, simThread: true });
const watch = watchSnapshots(bw.world.nc, bw.world.wire);
let collector: CollectorProcess | undefined;
try {
  collector = await startCollectorProcess(bw.world, {
    mode: mode as "bundle" | "tsx",
    bundle: values.bundle,
    concurrency,
    cpuProfDir: profDir,
    nodeOptions,
  });
  const startup = await processUsage(collector.pid);
  progress(`collector (${mode}) ready: ${startup.cpuMs} ms CPU, ${(startup.rssBytes / 2 ** 20).toFixed(0)} MiB RSS`);
  const rows: Record<string, number | string>[] = [];
  let stored: Map<string, string> | undefined;
  for (let pass = 1; pass <= passes; pass++) {
    const loadBefore = load();
    const before = await processUsage(collector.pid);
    const doneBefore = collector.done();
    const t0 = performance.now();
    const runId = `${randomBytes(4).toString("hex")}-${pass}`;
    await runJobsPass(bw.world, bw.devices, watch, {
      runId,
      timeoutMs: 600_000,
      // As the scheduler sends for a device with no stored version: read twice (second-read.ts).
      ...(firstVersion && { lastSnapshotBytes: null }),
      ...(stored && { lastSnapshotSha256: stored }),
    });
    if (unchanged && !stored) stored = shasOfRun(runId);
    const wallMs = performance.now() - t0;
    await collector.waitForDone(doneBefore + devices);
    const after = await processUsage(collector.pid);
    const backups = collector.done() - doneBefore;
    if (backups !== devices || watch.failures.length > 0) {
      throw new Error(`pass ${pass}: ${backups} of ${devices} backups done, ${watch.failures.length} failures`);
    }
    const row = {
      pass,
      backups,
      wallS: Number((wallMs / 1000).toFixed(2)),
      cpuMsPerBackup: Number(((after.cpuMs - before.cpuMs) / backups).toFixed(2)),
      rssMiB: Number((after.rssBytes / 2 ** 20).toFixed(0)),
      peakRssMiB: Number(((await processPeakRss(collector.pid)) / 2 ** 20).toFixed(0)),
      load: `${loadBefore} -> ${load()}`,
    };
    rows.push(row);
    progress(JSON.stringify(row));
  }
  console.log(
    JSON.stringify({
      mode,
      devices,
      configBytes,
      unchanged,
      startupCpuMs: startup.cpuMs,
      passes: rows,
      content: contentKinds(),
    }),
  );
  console.log(`reproduce: ${command}`);
} finally {
  watch.close();
  await collector?.stop();
  await bw.close();
}

/** The sha256 of each device's snapshot in the pass `runId`, by device id. */
function shasOfRun(runId: string): Map<string, string> {
  const shas = new Map<string, string>();
  for (const arrival of watch.arrivals.values()) {
    if (!arrival.msgId.startsWith(`job:bench-${runId}-`)) continue;
    const event = SnapshotEventCodec.decode(arrival.data);
    shas.set(event.deviceId, event.sha256);
  }
  return shas;
}

/** How many snapshots of the whole run carried each kind of content. */
function contentKinds(): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const arrival of watch.arrivals.values()) {
    const { kind } = SnapshotEventCodec.decode(arrival.data).content;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}
