/**
 * `npm run -w @netledger/bench fleet`: the whole path over a simulated fleet, as deployed —
 * scheduler (in the ingestor) → jobs work queue → collector processes → snapshots stream →
 * ingestor process → PostgreSQL — in two passes (a config change on some devices between them),
 * next to a bare ssh2 export-only pass over the same fleet and concurrency. See bench/README.md.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import { jetstreamManager } from "@nats-io/jetstream";
import { createWorld, type World } from "@netledger/testkit";
import { sql } from "kysely";
import { runBareSshPass } from "./bare-ssh-pass.js";
import { type BenchDevice, insertBenchDevices } from "./bench-world.js";
import { type BundleService, ensureBundles, REPO_ROOT, startBundleService } from "./bundle-service.js";
import { nodeFlagsOf } from "./cli-args.js";
import { BenchUsageError } from "./errors.js";
import { changedIndices, FLEET_USAGE, type FleetOptions, parseFleetArgs, reproduceFleetCommand } from "./fleet-args.js";
import {
  FLEET_PHASES,
  type FleetPassReport,
  type FleetPhase,
  type FleetReport,
  type ProcessFigures,
  renderFleetReport,
} from "./fleet-report.js";
import { type FleetWatch, type JobTrace, type PassTrace, watchFleet } from "./fleet-watch.js";
import { describeMachine } from "./machine.js";
import { backendCpu, backendCpuUsedMs } from "./postgres-cpu.js";
import { monitorProcesses, type ProcessMonitor, type ProcessWindowUse } from "./process-monitor.js";
import { scrapeNodeMemory } from "./prom-text.js";
import { measure } from "./resources.js";
import { localServerPid } from "./server-processes.js";
import { type SimFleet, startSimFleet } from "./sim-fleet.js";
import { summarize } from "./stats.js";
import { type Check, checkSessions } from "./verify.js";

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const MiB = 1024 * 1024;
const BARE_DEVICE_TIMEOUT_MS = 60_000;
/** How long after the last ingested event the jobs consumer may take to show every ack. */
const ACK_DRAIN_TIMEOUT_MS = 30_000;
const QUEUE_SAMPLE_MS = 250;
/** Scraping /metrics costs the services a little CPU: once a second is enough for peaks of slow-moving heaps. */
const MEMORY_SAMPLE_MS = 1_000;

interface Run {
  readonly options: FleetOptions;
  readonly world: World;
  readonly fleet: SimFleet;
  readonly tenantId: string;
  readonly devices: readonly BenchDevice[];
  readonly watch: FleetWatch;
  readonly monitor: ProcessMonitor;
  readonly collectors: readonly BundleService[];
  readonly ingestor: BundleService;
}

/**
 * A loopback address of this run's own (127.x.y.z; Linux answers the whole 127/8): the fleet
 * listens there, so a client of another run on the same machine that still holds a port number
 * our devices now use (a stale job, a retry) cannot reach them and skew the session counts.
 */
function privateLoopbackAddress(): string {
  const byte = () => 2 + Math.floor(Math.random() * 250);
  return `127.${byte()}.${byte()}.${byte()}`;
}

function gitCommit(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return "unknown";
  }
}

function processFigures(uses: readonly ProcessWindowUse[], backupsOf: (label: string) => number): ProcessFigures[] {
  return uses.map((u) => {
    const backups = backupsOf(u.label);
    return {
      label: u.label,
      cpuMs: u.cpuMs,
      backups,
      cpuMsPerBackup: backups > 0 ? u.cpuMs / backups : null,
      peakRssMiB: u.peakRssBytes / MiB,
      endRssMiB: u.endRssBytes / MiB,
    };
  });
}

/** Bare ssh2 export of every device, collectors × concurrency sessions at once, from this process. */
async function barePass(run: Run): Promise<{ report: FleetPassReport; checks: Check[] }> {
  const { options, devices, fleet, monitor } = run;
  await fleet.resetStats();
  await monitor.begin();
  const { result, use } = await measure(() =>
    runBareSshPass(devices, {
      concurrency: options.collectors * options.concurrency,
      timeoutMs: BARE_DEVICE_TIMEOUT_MS,
    }),
  );
  const uses = await monitor.end();
  const stats = await fleet.stats();
  const ok = result.filter((r) => r.kind === "ok").length;
  const failed = [...new Set(result.flatMap((r) => (r.kind === "failed" ? [r.reason] : [])))];
  return {
    report: {
      name: "bare-ssh2",
      devices: devices.length,
      succeeded: ok,
      wallMs: use.wallMs,
      wallFromDueMs: null,
      devicesPerSecond: ok / (use.wallMs / 1000),
      ratioToBare: 1,
      processes: processFigures(
        uses.filter((u) => u.label === "bench" || u.label === "simulator"),
        () => ok,
      ),
      phasesMs: {},
      maxJobsQueued: null,
      maxSnapshotsQueued: null,
      machineBusyPercent: use.machineBusyPercent,
      loadAverage: loadavg(),
    },
    checks: [
      {
        name: "bare-ssh2: every export read whole",
        ok: ok === devices.length,
        detail: `${ok} of ${devices.length}${failed.length ? `; ${failed.slice(0, 3).join("; ")}` : ""}`,
      },
      checkSessions("bare-ssh2", stats),
    ],
  };
}

/** Samples the work queue and the ingestor's backlog while a pass runs. */
function sampleQueues(world: World): { stop(): Promise<{ jobs: number; snapshots: number }> } {
  let maxJobs = 0;
  let maxSnapshots = 0;
  let running = true;
  const loop = (async () => {
    const jsm = await jetstreamManager(world.nc);
    const { jobs, snapshots } = world.wire.streams;
    while (running) {
      const [j, s] = await Promise.all([
        jsm.consumers.info(jobs.name, world.wire.consumers.collectorJobs.durable_name).catch(() => null),
        jsm.consumers.info(snapshots.name, world.wire.consumers.ingestorSnapshots.durable_name).catch(() => null),
      ]);
      if (j) maxJobs = Math.max(maxJobs, j.num_pending + j.num_ack_pending);
      if (s) maxSnapshots = Math.max(maxSnapshots, s.num_pending + s.num_ack_pending);
      await new Promise((resolve) => setTimeout(resolve, QUEUE_SAMPLE_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { jobs: maxJobs, snapshots: maxSnapshots };
    },
  };
}

/** Peaks of the services' own memory figures (`/metrics`) while a pass runs, by label. */
function sampleServiceMemory(services: readonly BundleService[]): {
  stop(): Promise<Map<string, { heapTotal: number; heapUsed: number; external: number }>>;
} {
  const peaks = new Map<string, { heapTotal: number; heapUsed: number; external: number }>();
  let running = true;
  const loop = (async () => {
    while (running) {
      await Promise.all(
        services.map(async (s) => {
          const m = await scrapeNodeMemory(s.opsPort);
          if (!m) return;
          const p = peaks.get(s.label) ?? { heapTotal: 0, heapUsed: 0, external: 0 };
          peaks.set(s.label, {
            heapTotal: Math.max(p.heapTotal, m.heapTotalBytes ?? 0),
            heapUsed: Math.max(p.heapUsed, m.heapUsedBytes ?? 0),
            external: Math.max(p.external, m.externalBytes ?? 0),
          });
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, MEMORY_SAMPLE_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peaks;
    },
  };
}

/** Waits until every job is acknowledged (the work queue empty): the collectors' side of the pass is over. */
async function waitJobsDrained(world: World): Promise<boolean> {
  const jsm = await jetstreamManager(world.nc);
  const deadline = Date.now() + ACK_DRAIN_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const info = await jsm.consumers.info(
      world.wire.streams.jobs.name,
      world.wire.consumers.collectorJobs.durable_name,
    );
    if (info.num_pending === 0 && info.num_ack_pending === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/** Per-device phase durations of a pass (only devices that have both ends of a phase). */
function phaseSummaries(traces: readonly JobTrace[], dueAt: number): Record<FleetPhase, ReturnType<typeof summarize>> {
  const of = (fn: (t: JobTrace) => number | undefined) =>
    summarize(traces.map(fn).filter((v): v is number => v !== undefined && Number.isFinite(v)));
  const diff = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : b - a;
  const phases: Record<FleetPhase, ReturnType<typeof summarize>> = {
    schedule: of((t) => t.jobSeenAt - dueAt),
    queueWait: of((t) => diff(t.jobSeenAt, t.collectorStartAt)),
    lock: of((t) => t.timings?.lockMs),
    collect: of((t) => (t.timings ? t.timings.connectMs + t.timings.exportMs : undefined)),
    publish: of((t) => t.timings?.publishMs),
    ingest: of((t) => diff(t.snapshotSeenAt, t.ingestedAt)),
    endToEnd: of((t) => diff(t.jobSeenAt, t.ingestedAt)),
  };
  return Object.fromEntries(FLEET_PHASES.map((p) => [p, phases[p]])) as Record<
    FleetPhase,
    ReturnType<typeof summarize>
  >;
}

/**
 * One scheduled pass: every device's `next_due_at` set to now (what an operator's "back up all
 * now" or the end of an interval does), then the running ingestor's scheduler enqueues them at
 * its next tick, and the pass ends when every device's snapshot is ingested.
 */
async function scheduledPass(
  run: Run,
  name: "pass-1" | "pass-2",
  bareDevicesPerSecond: number | null,
): Promise<{ report: FleetPassReport; trace: PassTrace; checks: Check[] }> {
  const { options, world, fleet, monitor, watch, devices } = run;
  await fleet.resetStats();
  await monitor.begin();
  const postgresBefore = await backendCpu(world.db);
  const trace = watch.beginPass();
  const queues = sampleQueues(world);
  const memory = sampleServiceMemory([...run.collectors, run.ingestor]);
  const { use } = await measure(async () => {
    await sql`update devices set next_due_at = now() where tenant_id = ${run.tenantId}`.execute(world.db);
  });
  const dueAt = Date.now() - use.wallMs;
  let timedOut: string | null = null;
  const { use: passUse } = await measure(async () => {
    await trace.waitIngested(devices.length, options.timeoutS * 1000).catch((err: unknown) => {
      timedOut = err instanceof Error ? err.message : String(err);
    });
  });
  const lastIngested = Date.now();
  const drained = timedOut === null && (await waitJobsDrained(world));
  const maxQueued = await queues.stop();
  const heaps = await memory.stop();
  const uses = await monitor.end();
  const postgresMs = backendCpuUsedMs(postgresBefore, await backendCpu(world.db));
  const stats = await fleet.stats();
  const traces = [...trace.jobs.values()];
  const ingested = traces.filter((t) => t.ingestedAt !== undefined);
  const firstJob = Math.min(...traces.map((t) => t.jobSeenAt));
  const lastAt = ingested.length ? Math.max(...ingested.map((t) => t.ingestedAt!)) : lastIngested;
  const wallMs = lastAt - firstJob;
  const devicesPerSecond = ingested.length / (wallMs / 1000);
  const byCollector = (label: string) =>
    label.startsWith("collector") ? traces.filter((t) => t.collector === label).length : ingested.length;
  const distinctDevices = new Set(traces.map((t) => t.deviceId)).size;
  const checks: Check[] = [
    {
      name: `${name}: every device ingested`,
      ok: timedOut === null && ingested.length === devices.length,
      detail: timedOut ?? `${ingested.length} of ${devices.length}`,
    },
    {
      name: `${name}: one scheduled job per device`,
      ok: traces.length === devices.length && distinctDevices === devices.length,
      detail: `${traces.length} jobs for ${distinctDevices} devices`,
    },
    { name: `${name}: work queue drained (every job acked)`, ok: drained, detail: drained ? "empty" : "jobs left" },
    checkSessions(name, stats),
  ];
  return {
    trace,
    checks,
    report: {
      name,
      devices: devices.length,
      succeeded: ingested.length,
      wallMs,
      wallFromDueMs: lastAt - dueAt,
      devicesPerSecond,
      ratioToBare: bareDevicesPerSecond ? devicesPerSecond / bareDevicesPerSecond : null,
      processes: processFigures(uses, byCollector)
        .map((p) => {
          const heap = heaps.get(p.label);
          return heap
            ? {
                ...p,
                heapTotalMiB: heap.heapTotal / MiB,
                heapUsedMiB: heap.heapUsed / MiB,
                externalMiB: heap.external / MiB,
              }
            : p;
        })
        .concat(
          // Every backend of the world's own database: exactly the PostgreSQL work of this run.
          postgresMs === null
            ? []
            : [
                {
                  label: "postgres",
                  cpuMs: postgresMs,
                  backups: ingested.length,
                  cpuMsPerBackup: ingested.length > 0 ? postgresMs / ingested.length : null,
                  peakRssMiB: null,
                  endRssMiB: null,
                },
              ],
        ),
      phasesMs: phaseSummaries(traces, dueAt),
      maxJobsQueued: maxQueued.jobs,
      maxSnapshotsQueued: maxQueued.snapshots,
      machineBusyPercent: passUse.machineBusyPercent,
      loadAverage: loadavg(),
    },
  };
}

/** Rows in PostgreSQL after a pass: one version per device after pass 1; a second one (with its diff and changes) for exactly the changed devices after pass 2. */
async function checkStored(run: Run, pass: 1 | 2, changedIds: ReadonlySet<string>): Promise<Check[]> {
  const { world, devices } = run;
  const n = devices.length;
  const versions = await sql<{ device_id: string; versions: number }>`
    select device_id, count(*)::int as versions from config_snapshots group by device_id`.execute(world.db);
  const status = await sql<{ s: string | null; n: number }>`
    select last_backup_status as s, count(*)::int as n from devices group by 1`.execute(world.db);
  const statusText = status.rows.map((r) => `${r.s ?? "none"} ${r.n}`).join(", ");
  const okStatus = status.rows.every((r) => r.s === "success" || r.s === "unchanged");
  const twice = versions.rows.filter((r) => r.versions === 2).map((r) => r.device_id);
  const total = versions.rows.reduce((sum, r) => sum + r.versions, 0);
  if (pass === 1) {
    return [
      {
        name: "pass-1: every device has one stored version",
        ok: versions.rows.length === n && total === n,
        detail: `${total} versions for ${versions.rows.length} of ${n} devices`,
      },
      { name: "pass-1: every device's last backup succeeded", ok: okStatus, detail: statusText },
    ];
  }
  const diffs = await sql<{ device_id: string; changes: number }>`
    select d.device_id, (select count(*)::int from config_changes c where c.diff_id = d.id) as changes
    from config_diffs d`.execute(world.db);
  const sameSet = (ids: readonly string[]) => ids.length === changedIds.size && ids.every((id) => changedIds.has(id));
  return [
    {
      name: "pass-2: a second version for exactly the changed devices",
      ok: total === n + changedIds.size && sameSet(twice) && versions.rows.every((r) => r.versions <= 2),
      detail: `${total} versions; ${twice.length} devices with two, ${changedIds.size} changed`,
    },
    {
      name: "pass-2: each changed device has one diff with structured changes",
      ok: sameSet(diffs.rows.map((r) => r.device_id)) && diffs.rows.every((r) => r.changes >= 1),
      detail: `${diffs.rows.length} diffs, ${diffs.rows.filter((r) => r.changes >= 1).length} with changes (${diffs.rows.reduce((s, r) => s + r.changes, 0)} change rows)`,
    },
    { name: "pass-2: every device's last backup succeeded or was unchanged", ok: okStatus, detail: statusText },
  ];
}

/** Ingested events of pass 2 say `changed: true`, with changes, for exactly the changed devices. */
function checkIngestedChanges(trace: PassTrace, changedIds: ReadonlySet<string>): Check {
  const changed = [...trace.jobs.values()].filter((t) => t.changed === true);
  const withChanges = changed.filter((t) => t.changes && t.changes.added + t.changes.removed + t.changes.modified > 0);
  return {
    name: "pass-2: ingested events report a change for exactly the changed devices",
    ok:
      changed.length === changedIds.size &&
      changed.every((t) => changedIds.has(t.deviceId)) &&
      withChanges.length === changed.length,
    detail: `${changed.length} changed (${withChanges.length} with change counts), ${changedIds.size} expected`,
  };
}

function checkClean(run: Run): Check[] {
  const { watch, collectors, ingestor } = run;
  const problems = [...collectors, ingestor].flatMap((s) =>
    [...s.problems].map(([msg, n]) => `${s.label}: ${msg} ×${n}`),
  );
  const events = [...watch.collectorEvents].map(([msg, n]) => `${msg} ×${n}`);
  return [
    {
      name: "no backup-failed events",
      ok: watch.failures.length === 0,
      detail: watch.failures.length ? [...new Set(watch.failures)].join(", ") : "none",
    },
    {
      name: "no dead letters",
      ok: watch.deadLetters.jobs + watch.deadLetters.ingest === 0,
      detail: `jobs ${watch.deadLetters.jobs}, ingest ${watch.deadLetters.ingest}`,
    },
    {
      name: "no warnings or errors in the services' logs",
      ok: problems.length === 0,
      detail: problems.join("; ") || "none",
    },
    {
      name: "collectors logged nothing but successful backups for jobs",
      ok: events.length === 0,
      detail: events.join("; ") || "none",
    },
  ];
}

async function main(): Promise<number> {
  let options: FleetOptions;
  try {
    const parsed = parseFleetArgs(process.argv.slice(2));
    if (parsed === "help") {
      console.log(FLEET_USAGE);
      return 0;
    }
    options = parsed;
  } catch (err) {
    if (err instanceof BenchUsageError) {
      log(`${err.message}\n${FLEET_USAGE}`);
      return 2;
    }
    throw err;
  }
  const command = reproduceFleetCommand(options);
  const machine = describeMachine();
  log(`load average at start: ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(" ")}`);
  ensureBundles(log);
  const commit = gitCommit();
  const cleanup: (() => Promise<unknown>)[] = [];
  // Interrupted (Ctrl-C, kill): remove the world and stop the processes before leaving.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void (async () => {
        for (const step of cleanup.reverse()) await step().catch(() => {});
        process.exit(130);
      })();
    });
  }
  try {
    const world = await createWorld();
    cleanup.push(() => world.close());
    log(`starting ${options.devices} simulated devices in their own process...`);
    const simStarted = performance.now();
    const fleet = await startSimFleet(
      {
        count: options.devices,
        host: privateLoopbackAddress(),
        // Host keys kept between runs (gitignored): 5,000 ed25519 keys are generated and written once.
        stateDir: `${REPO_ROOT}.netledger/bench-fleet-host-keys`,
        latencyMs: options.latencyMs,
        config: { kind: "synthetic", bytes: options.configBytes, seed: options.seed },
      },
      "child-process",
    );
    cleanup.push(() => fleet.stop());
    log(`simulator ready after ${((performance.now() - simStarted) / 1000).toFixed(1)} s`);
    const tenantId = randomUUID();
    await world.db
      .insertInto("tenants")
      .values({ id: tenantId, name: `bench-${world.id}` })
      .execute();
    // Registered not yet due: nothing is enqueued until a pass makes the devices due.
    const devices = await insertBenchDevices(world, tenantId, fleet.devices, {
      nextDueAt: new Date(Date.now() + 24 * 3_600_000),
      pinned: !options.unpinned,
    });
    const watch = watchFleet(world.nc, world.wire);
    cleanup.push(async () => watch.close());
    const base = { ...process.env, ...world.env(), LOG_LEVEL: "info" } as Record<string, string>;
    log("starting the ingestor and the collectors from dist/...");
    const ingestor = await startBundleService(
      "ingestor",
      "ingestor",
      {
        ...base,
        SCHEDULER_TICK_MS: String(options.tickMs),
        ...(options.ingestConcurrency !== null && { INGEST_CONCURRENCY: String(options.ingestConcurrency) }),
      },
      () => {},
      nodeFlagsOf(options.ingestorNodeOptions),
    );
    const services: BundleService[] = [ingestor];
    cleanup.push(async () => {
      const codes = await Promise.all(services.map((s) => s.stop()));
      const bad = services.filter((_, i) => codes[i] !== 0).map((s, i) => `${s.label} exited ${codes[i]}`);
      if (bad.length) log(`services: ${bad.join(", ")}`);
    });
    const collectors: BundleService[] = [];
    for (let i = 1; i <= options.collectors; i++) {
      const label = `collector-${i}`;
      const collector = await startBundleService(
        "collector",
        label,
        {
          ...base,
          COLLECTOR_CONCURRENCY: String(options.concurrency),
        },
        (record) => watch.collectorLog(label, record),
        nodeFlagsOf(options.collectorNodeOptions),
      );
      collectors.push(collector);
      services.push(collector);
    }
    // The servers the world uses, when they run on this host: shared, so on a quiet box only.
    const servers = [
      { label: "nats-server", pid: localServerPid("nats-server", base.NATS_URL ?? "") },
      { label: "redis-server", pid: localServerPid("redis-server", base.REDIS_URL ?? "") },
    ].flatMap(({ label, pid }) => (pid === null ? [] : [{ label, pid }]));
    const monitor = monitorProcesses([
      ...collectors.map((c) => ({ label: c.label, pid: c.pid })),
      { label: "ingestor", pid: ingestor.pid },
      ...(fleet.pid === null ? [] : [{ label: "simulator", pid: fleet.pid }]),
      { label: "bench", pid: process.pid },
      ...servers,
    ]);
    cleanup.push(async () => monitor.stop());
    const run: Run = { options, world, fleet, tenantId, devices, watch, monitor, collectors, ingestor };

    const passes: FleetPassReport[] = [];
    const checks: Check[] = [];
    let bareRate: number | null = null;
    if (options.bare) {
      log("bare ssh2 pass...");
      const bare = await barePass(run);
      passes.push(bare.report);
      checks.push(...bare.checks);
      bareRate = bare.report.devicesPerSecond;
    }
    log("pass 1: every device due...");
    const first = await scheduledPass(run, "pass-1", bareRate);
    passes.push(first.report);
    checks.push(...first.checks, ...(await checkStored(run, 1, new Set())));

    const indices = changedIndices(options);
    await fleet.changeConfigs(indices, "bench-pass-2");
    const changedIds = new Set(indices.map((i) => devices[i]!.deviceId));
    log(`pass 2: ${indices.length} devices changed, every device due again...`);
    const second = await scheduledPass(run, "pass-2", bareRate);
    passes.push(second.report);
    checks.push(
      ...second.checks,
      checkIngestedChanges(second.trace, changedIds),
      ...(await checkStored(run, 2, changedIds)),
      ...checkClean(run),
    );

    const jsm = await jetstreamManager(world.nc);
    const streamUse = async (name: string) => {
      const { state } = await jsm.streams.info(name);
      return { messages: state.messages, bytes: state.bytes };
    };
    const report: FleetReport = {
      command,
      date: new Date().toISOString(),
      commit,
      machine,
      loadAverageAtEnd: loadavg(),
      options,
      passes,
      streams: {
        snapshots: await streamUse(world.wire.streams.snapshots.name),
        events: await streamUse(world.wire.streams.events.name),
      },
      checks,
      ok: checks.every((c) => c.ok),
    };
    console.log(
      options.output === "json"
        ? JSON.stringify(report, null, 2)
        : renderFleetReport(report, options.output === "markdown"),
    );
    return report.ok ? 0 : 1;
  } finally {
    for (const step of cleanup.reverse()) await step().catch((err: unknown) => log(`cleanup: ${String(err)}`));
    log(
      `load average at end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
  }
}

process.exitCode = await main();
