/**
 * `npm run -w @netledger/bench collector-cpu`: CPU per backup of one collector **process** alone.
 * The simulated fleet runs on a worker thread of this process and the collector in a child
 * process, started as production starts it (`bundle`: `node dist/collector.mjs`, after
 * `npm run build`) or as development does (`tsx`: `services/collector/src/main.ts` through the
 * TypeScript loader). Each pass publishes one BackupJob per device and waits until every snapshot
 * is on the wire and every job acked; the child's CPU (user + system, every thread, from /proc) over
 * the pass divided by the devices is the figure (`--bundle PATH` runs another build, e.g. of an
 * older commit, for a before/after on the same box at the same time). The first pass includes JIT warm-up; start-up is
 * in none. `--cpu-prof DIR` runs the child with `node --cpu-prof` (the profile covers its whole
 * life, start-up included); summarize it with `npm run -w @netledger/bench cpu-profile-top -- FILE`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { freePort } from "@netledger/testkit";
import { startBenchWorld } from "./bench-world.js";
import { DEFAULT_OPTIONS } from "./cli-args.js";
import { runJobsPass } from "./jobs-pass.js";
import { processPeakRss, processUsage, waitForReady } from "./proc-usage.js";
import { watchSnapshots } from "./snapshot-watch.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
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
  },
});
const devices = Number(values.devices);
const passes = Number(values.passes);
const mode = values.mode;
const concurrency = Number(values.concurrency);
const latencyMs = Number(values["latency-ms"]);
const configBytes = Number(values["config-bytes"]);
const entry: Record<string, string[]> = {
  bundle: [values.bundle],
  tsx: ["--import", "tsx", "services/collector/src/main.ts"],
};
const args = entry[mode ?? ""];
if (!args) throw new Error(`--mode must be bundle or tsx, not ${mode}`);
if (mode === "bundle" && !existsSync(new URL(values.bundle, `file://${root}`))) {
  throw new Error(`${values.bundle} is missing: run \`npm run build\` first`);
}
const profDir = values["cpu-prof"];
const command = `npm run -w @netledger/bench collector-cpu -- --mode ${mode}${mode === "bundle" ? ` --bundle ${values.bundle}` : ""} --devices ${devices} --passes ${passes} --concurrency ${concurrency} --latency-ms ${latencyMs} --config-bytes ${configBytes}${profDir ? ` --cpu-prof ${profDir}` : ""}`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const progress = (message: string): void => void process.stderr.write(`[collector-cpu] ${message}\n`);

const bw = await startBenchWorld({ ...DEFAULT_OPTIONS, devices, latencyMs, concurrency, configBytes, simThread: true });
const watch = watchSnapshots(bw.world.nc, bw.world.wire);
let child: ChildProcess | undefined;
try {
  const port = await freePort();
  const prof = profDir ? ["--cpu-prof", "--cpu-prof-dir", profDir] : [];
  child = spawn(process.execPath, [...prof, ...args], {
    cwd: root,
    env: {
      ...process.env,
      ...bw.world.env(),
      OPS_PORT: String(port),
      COLLECTOR_CONCURRENCY: String(concurrency),
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let done = 0;
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (line.includes('"msg":"backup done"')) done++;
    else if (/"level":"(warn|error|fatal)"|"level":(40|50|60)\b/.test(line)) process.stderr.write(`${line}\n`);
  });
  await waitForReady(child, port);
  const startup = await processUsage(child.pid!);
  progress(`collector (${mode}) ready: ${startup.cpuMs} ms CPU, ${(startup.rssBytes / 2 ** 20).toFixed(0)} MiB RSS`);
  const rows: Record<string, number | string>[] = [];
  for (let pass = 1; pass <= passes; pass++) {
    const loadBefore = load();
    const before = await processUsage(child.pid!);
    const doneBefore = done;
    const t0 = performance.now();
    await runJobsPass(bw.world, bw.devices, watch, {
      runId: `${randomBytes(4).toString("hex")}-${pass}`,
      timeoutMs: 600_000,
    });
    const wallMs = performance.now() - t0;
    // The child logs `backup done` after its publish was acked: its last lines may still be in the pipe.
    for (const until = performance.now() + 10_000; done - doneBefore < devices && performance.now() < until; ) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const after = await processUsage(child.pid!);
    const backups = done - doneBefore;
    if (backups !== devices || watch.failures.length > 0) {
      throw new Error(`pass ${pass}: ${backups} of ${devices} backups done, ${watch.failures.length} failures`);
    }
    const row = {
      pass,
      backups,
      wallS: Number((wallMs / 1000).toFixed(2)),
      cpuMsPerBackup: Number(((after.cpuMs - before.cpuMs) / backups).toFixed(2)),
      rssMiB: Number((after.rssBytes / 2 ** 20).toFixed(0)),
      peakRssMiB: Number(((await processPeakRss(child.pid!)) / 2 ** 20).toFixed(0)),
      load: `${loadBefore} -> ${load()}`,
    };
    rows.push(row);
    progress(JSON.stringify(row));
  }
  console.log(JSON.stringify({ mode, devices, configBytes, startupCpuMs: startup.cpuMs, passes: rows }));
  console.log(`reproduce: ${command}`);
} finally {
  watch.close();
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child!.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  await bw.close();
}
