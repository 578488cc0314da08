import type { DeviceStats } from "@netledger/device-sim";
import { runBareSshPass } from "./bare-ssh-pass.js";
import type { BenchWorld } from "./bench-world.js";
import type { BenchOptions } from "./cli-args.js";
import type { CollectorHost } from "./collector-host.js";
import { runJobsPass } from "./jobs-pass.js";
import { type PhaseReport, pipelineSummary } from "./report.js";
import { measure, type ResourceUse } from "./resources.js";
import type { SnapshotWatch } from "./snapshot-watch.js";
import { summarize } from "./stats.js";
import { runTriggersPass } from "./triggers-pass.js";
import { type Check, checkCount, checkSealedSample, checkSessions, checkStream, eventsOf } from "./verify.js";

/** A measured pass and what was checked about it. */
export interface PhaseOutcome {
  readonly report: PhaseReport;
  readonly checks: readonly Check[];
}

/** Per-device SSH timeout of the bare pass: generous, as a hang must fail the run, not stall it. */
const BARE_DEVICE_TIMEOUT_MS = 60_000;

/** Measures one pass with fresh simulator counters, and returns the counters it left. */
async function measurePass<T>(
  bw: BenchWorld,
  pass: () => Promise<T>,
): Promise<{ result: T; use: ResourceUse; stats: DeviceStats[] }> {
  await bw.fleet.resetStats();
  const { result, use } = await measure(pass, () => bw.fleet.cpuMs());
  return { result, use, stats: await bw.fleet.stats() };
}

/** The figures every pass reports; throughput counts only successful devices. */
function passReport(
  bw: BenchWorld,
  use: ResourceUse,
  figures: Pick<PhaseReport, "name" | "succeeded" | "latencyMeaning" | "bytes" | "pipelineMs" | "extra"> & {
    latencies: readonly number[];
  },
): PhaseReport {
  const { latencies, ...rest } = figures;
  return {
    ...rest,
    devices: bw.devices.length,
    devicesPerSecond: figures.succeeded / (use.wallMs / 1000),
    latencyMs: summarize(latencies),
    resources: use,
  };
}

/** Phase A: bare ssh2, `concurrency` sessions at a time. */
export async function benchBare(bw: BenchWorld, options: BenchOptions): Promise<PhaseOutcome> {
  const { result, use, stats } = await measurePass(bw, () =>
    runBareSshPass(bw.devices, { concurrency: options.concurrency, timeoutMs: BARE_DEVICE_TIMEOUT_MS }),
  );
  const ok = result.flatMap((r) => (r.kind === "ok" ? [r] : []));
  const failed = result.flatMap((r) => (r.kind === "failed" ? [r.reason] : []));
  return {
    report: passReport(bw, use, {
      name: "bare-ssh2",
      succeeded: ok.length,
      latencies: ok.map((r) => r.ms),
      latencyMeaning: "connect start to socket closed (handshake, auth, exec, read, close)",
      bytes: ok.reduce((sum, r) => sum + r.bytes, 0),
    }),
    checks: [
      checkCount("bare ssh2: every export read whole", ok.length, bw.devices.length, "devices", failed),
      checkSessions("bare ssh2", stats),
    ],
  };
}

/** Phase B: scheduled jobs on the work-queue stream, worked by the in-process collector. */
export async function benchJobs(
  bw: BenchWorld,
  host: CollectorHost,
  watch: SnapshotWatch,
  options: BenchOptions & { runId: string },
): Promise<PhaseOutcome> {
  host.takeDone();
  const failuresBefore = watch.failures.length;
  const { result, use, stats } = await measurePass(bw, () =>
    runJobsPass(bw.world, bw.devices, watch, { runId: options.runId, timeoutMs: options.timeoutS * 1000 }),
  );
  const done = host.takeDone().filter((d) => d.trigger === "scheduled");
  const events = eventsOf(watch, "job:");
  const failures = watch.failures.slice(failuresBefore);
  return {
    report: passReport(bw, use, {
      name: "collector-jobs",
      succeeded: events.size,
      latencies: result.completionMs.filter(Number.isFinite),
      latencyMeaning: "first job enqueued to its snapshot published (includes waiting for a free slot)",
      bytes: [...events.values()].reduce((sum, e) => sum + e.bytes, 0),
      pipelineMs: pipelineSummary(done.map((d) => d.timings)),
      extra: { "enqueue all jobs": result.enqueueMs, "last snapshot to all jobs acked": result.ackTailMs },
    }),
    checks: [
      checkCount("jobs: one snapshot per device on the wire", events.size, bw.devices.length, "devices"),
      checkCount("jobs: no backup failed", failures.length, 0, "backup-failed events", failures),
      checkCount("jobs: pipeline timings logged", done.length, bw.devices.length, "backup done lines"),
      checkSessions("jobs", stats),
      await checkStream("jobs", bw.world, bw.devices, 1),
      await checkSealedSample(bw.world, [...events.values()], "jobs"),
    ],
  };
}

/** Phase B': trigger requests, `concurrency` in flight, answered by the same collector. */
export async function benchTriggers(
  bw: BenchWorld,
  watch: SnapshotWatch,
  options: BenchOptions,
): Promise<PhaseOutcome> {
  const { result, use, stats } = await measurePass(bw, () =>
    runTriggersPass(bw.world, bw.devices, { concurrency: options.concurrency, timeoutMs: options.timeoutS * 1000 }),
  );
  const successes = result.flatMap((r) =>
    r.kind === "reply" && r.reply.kind === "success" ? [{ ...r, reply: r.reply }] : [],
  );
  const other = result.flatMap((r) =>
    r.kind === "no-reply"
      ? [r.reason]
      : r.reply.kind === "success"
        ? []
        : [r.reply.kind === "busy" ? "BUSY" : r.reply.code],
  );
  const jobEvents = eventsOf(watch, "job:");
  const sameHash = bw.devices.filter((d, i) => {
    const r = result[i];
    return r?.kind === "reply" && r.reply.kind === "success" && r.reply.sha256 === jobEvents.get(d.deviceId)?.sha256;
  }).length;
  const triggerEvents = [...eventsOf(watch, "trigger:").values()];
  return {
    report: passReport(bw, use, {
      name: "collector-triggers",
      succeeded: successes.length,
      latencies: successes.map((r) => r.ms),
      latencyMeaning: "request sent to reply received (the reply follows the PubAck)",
      bytes: successes.reduce((sum, r) => sum + r.reply.bytes, 0),
      pipelineMs: pipelineSummary(successes.map((r) => r.reply.timings)),
    }),
    checks: [
      checkCount("triggers: every request answered success", successes.length, bw.devices.length, "devices", other),
      checkCount("triggers: same sha256 as the jobs pass (unchanged configs)", sameHash, bw.devices.length, "devices"),
      checkSessions("triggers", stats),
      await checkStream("triggers", bw.world, bw.devices, 2),
      await checkSealedSample(bw.world, triggerEvents, "triggers"),
    ],
  };
}
