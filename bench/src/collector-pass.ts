import { randomBytes } from "node:crypto";
import { type BenchWorld, startBenchWorld } from "./bench-world.js";
import { type BenchOptions, parseBenchArgs, reproduceCommand, USAGE } from "./cli-args.js";
import { type CollectorHost, startCollectorHost } from "./collector-host.js";
import { BenchUsageError } from "./errors.js";
import { describeMachine } from "./machine.js";
import { benchBare, benchJobs, benchTriggers, type PhaseOutcome } from "./phases.js";
import { type BenchReport, renderText } from "./report.js";
import { lifetimePeakRssBytes } from "./resources.js";
import { type SnapshotWatch, watchSnapshots } from "./snapshot-watch.js";

/**
 * Benchmark: one full pass over a simulated RouterOS fleet, first with bare ssh2 (the floor),
 * then through the collector's scheduled-jobs path and its trigger path, checking correctness
 * as it measures. Wires the pieces; see ../README.md for what each figure means.
 */

const progress = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);

function options(): BenchOptions {
  try {
    const parsed = parseBenchArgs(process.argv.slice(2));
    if (parsed !== "help") return parsed;
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  } catch (err) {
    if (!(err instanceof BenchUsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
}

const opts = options();
const machine = describeMachine();
const runId = randomBytes(4).toString("hex");
let bw: BenchWorld | undefined;
let host: CollectorHost | undefined;
let watch: SnapshotWatch | undefined;
let cleaning: Promise<void> | undefined;
const cleanUp = (): Promise<void> => {
  cleaning ??= (async () => {
    watch?.close();
    await host?.close().catch((err: unknown) => progress(`collector stop failed: ${String(err)}`));
    await bw?.close().catch((err: unknown) => progress(`world clean-up failed: ${String(err)}`));
  })();
  return cleaning;
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    progress(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  progress(`starting a world and ${opts.devices} simulated devices`);
  bw = await startBenchWorld(opts);
  const outcomes: PhaseOutcome[] = [];
  const done = (outcome: PhaseOutcome): void => {
    outcomes.push(outcome);
    const { report: r } = outcome;
    progress(`${r.name}: ${r.succeeded}/${r.devices} in ${(r.resources.wallMs / 1000).toFixed(2)} s`);
  };

  progress("phase A: bare ssh2");
  done(await benchBare(bw, opts));

  progress("starting the in-process collector");
  host = await startCollectorHost(bw.world, opts.concurrency);
  watch = watchSnapshots(bw.world.nc, bw.world.wire);
  await bw.world.nc.flush();

  progress("phase B: scheduled jobs");
  done(await benchJobs(bw, host, watch, { ...opts, runId }));
  if (opts.triggers) {
    progress("phase B': triggers");
    done(await benchTriggers(bw, watch, opts));
  }

  const checks = outcomes.flatMap((o) => o.checks);
  const report: BenchReport = {
    command: reproduceCommand(opts),
    machine,
    options: opts,
    setupMs: bw.setupMs,
    phases: outcomes.map((o) => o.report),
    checks,
    lifetimePeakRssBytes: lifetimePeakRssBytes(),
    ok: checks.every((c) => c.ok),
  };
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderText(report)}\n`);
  process.exitCode = report.ok ? 0 : 1;
} catch (err) {
  progress(`run failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
