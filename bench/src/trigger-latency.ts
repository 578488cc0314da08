import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createWorld, freePort, type ServiceProcess, startServiceProcess, type World } from "@netledger/testkit";
import { runBareSshPass } from "./bare-ssh-pass.js";
import { type BenchDevice, insertBenchDevices } from "./bench-world.js";
import { startCollectorHost } from "./collector-host.js";
import { describeMachine } from "./machine.js";
import { startSimFleet } from "./sim-fleet.js";
import { type Summary, summarize } from "./stats.js";
import { runTriggersPass } from "./triggers-pass.js";

/**
 * Trigger latency through the gateway, next to the same backup without it, in one run:
 *
 * - bare: plain ssh2 connect + `/export` + read + close of the device (the floor);
 * - direct: the core-NATS trigger request straight to the collector (what the gateway sends);
 * - http: `POST …/config-snapshot/trigger` to the gateway (its own process, as `main.ts` runs it),
 *   with the ingestor (its own process) confirming each snapshot: auth, tenant scope, rate limit
 *   (Redis), device load (PostgreSQL), the NATS request, the wait for the ingest event, audit.
 *
 * Each worker owns one device and runs bare → direct → http in turn, `--rounds` times, so the
 * three see the same device and the same moment of a busy machine. Levels: 1 worker, then
 * `--concurrency` workers. "gateway adds" is http − direct at each percentile.
 */

const USAGE = `Usage: npm run -w @netledger/bench gateway-trigger -- [--rounds N] [--concurrency N] [--latency-ms MS] [--config-bytes B]
  --rounds N         triggers per worker per level (default 50)
  --concurrency N    workers of the concurrent level, one device each (default 20)
  --latency-ms MS    simulated device command latency (default 0)
  --config-bytes B   synthetic config size (default 32768)`;

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "50" },
    concurrency: { type: "string", default: "20" },
    "latency-ms": { type: "string", default: "0" },
    "config-bytes": { type: "string", default: "32768" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
const latencyMs = Number(values["latency-ms"]);
const configBytes = Number(values["config-bytes"]);
for (const [name, value] of Object.entries({ rounds, concurrency, latencyMs, configBytes })) {
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}: expected a whole number\n${USAGE}`);
}

const SERVICES = new URL("../../services/", import.meta.url);
const GATEWAY_MAIN = fileURLToPath(new URL("gateway/src/main.ts", SERVICES));
const INGESTOR_MAIN = fileURLToPath(new URL("ingestor/src/main.ts", SERVICES));
const TIMEOUT_MS = 60_000;
const log = (line: string) => process.stderr.write(`${line}\n`);

async function startService(entry: string, env: Record<string, string>): Promise<ServiceProcess> {
  const ops = await freePort();
  const service = startServiceProcess(entry, { ...process.env, ...env, OPS_PORT: String(ops), LOG_LEVEL: "warn" });
  await service.waitForHttp(ops, "/readyz", 200);
  return service;
}

async function api(url: string, token: string, method: string, body?: unknown) {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

interface LevelSamples {
  bare: number[];
  direct: number[];
  http: number[];
  /** Inside the gateway: NATS request to reply, and reply to ingest event. */
  requestMs: number[];
  ingestWaitMs: number[];
  failures: string[];
}

async function runLevel(
  workers: number,
  devices: readonly BenchDevice[],
  world: World,
  gatewayUrl: string,
  token: string,
): Promise<LevelSamples> {
  const s: LevelSamples = { bare: [], direct: [], http: [], requestMs: [], ingestWaitMs: [], failures: [] };
  await Promise.all(
    devices.slice(0, workers).map(async (device) => {
      const url = `${gatewayUrl}/api/tenants/${device.tenantId}/devices/${device.deviceId}/config-snapshot/trigger`;
      for (let round = 0; round < rounds; round++) {
        const [bare] = await runBareSshPass([device], { concurrency: 1, timeoutMs: TIMEOUT_MS });
        if (bare?.kind === "ok") s.bare.push(bare.ms);
        else s.failures.push(`bare: ${bare?.kind === "failed" ? bare.reason : "?"}`);

        const [direct] = await runTriggersPass(world, [device], { concurrency: 1, timeoutMs: TIMEOUT_MS });
        if (direct?.kind === "reply" && direct.reply.kind === "success") s.direct.push(direct.ms);
        else s.failures.push(`direct: ${direct?.kind === "reply" ? direct.reply.kind : direct?.reason}`);

        const started = performance.now();
        const res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}` } });
        const body = (await res.json()) as { stored?: boolean; timings?: { requestMs: number; ingestWaitMs: number } };
        const ms = performance.now() - started;
        if (res.status === 201 && body.stored && body.timings) {
          s.http.push(ms);
          s.requestMs.push(body.timings.requestMs);
          s.ingestWaitMs.push(body.timings.ingestWaitMs);
        } else s.failures.push(`http: ${res.status} stored=${body.stored}`);
      }
    }),
  );
  return s;
}

const fmt = (v: number | undefined) => (v === undefined ? "-" : v.toFixed(1).padStart(7));
function row(label: string, summary: Summary | null): string {
  return `${label.padEnd(34)} ${fmt(summary?.p50)} ${fmt(summary?.p95)} ${fmt(summary?.p99)} ${fmt(summary?.max)} ${String(summary?.count ?? 0).padStart(6)}`;
}

async function main(): Promise<void> {
  const machine = describeMachine();
  const world = await createWorld();
  const stops: Array<() => Promise<unknown>> = [() => world.close()];
  try {
    const fleet = await startSimFleet(
      { count: Math.max(1, concurrency), latencyMs, config: { kind: "synthetic", bytes: configBytes, seed: 1 } },
      "in-process",
    );
    stops.push(() => fleet.stop());
    const bootstrap = `bench-bootstrap-${"x".repeat(32)}`;
    const port = await freePort();
    const gateway = await startService(GATEWAY_MAIN, {
      ...world.env(),
      GATEWAY_PORT: String(port),
      NETLEDGER_BOOTSTRAP_TOKEN: bootstrap,
      TRIGGER_RATE_LIMIT_PER_MINUTE: "100000000",
      TRIGGER_INGEST_WAIT_MS: "30000",
    });
    stops.push(async () => {
      gateway.child.kill("SIGTERM");
      await gateway.exited;
    });
    const ingestor = await startService(INGESTOR_MAIN, world.env());
    stops.push(async () => {
      ingestor.child.kill("SIGTERM");
      await ingestor.exited;
    });
    const collector = await startCollectorHost(world, Math.max(1, concurrency));
    stops.push(() => collector.close());

    const gatewayUrl = `http://127.0.0.1:${port}`;
    const tenant = await api(`${gatewayUrl}/api/tenants`, bootstrap, "POST", { name: `bench-${world.id}` });
    const tenantId = String(tenant.id);
    const token = String(
      (
        await api(`${gatewayUrl}/api/tenants/${tenantId}/tokens`, bootstrap, "POST", {
          name: "bench",
          role: "operator",
        })
      ).token,
    );
    const devices = await insertBenchDevices(world, tenantId, fleet.devices);
    log(`warming up (one trigger per device)...`);
    await runLevel(devices.length, devices, world, gatewayUrl, token).then(() => undefined);

    const lines: string[] = [];
    lines.push(
      `machine: ${machine.cores} cores ${machine.cpuModel}, ${machine.node}, load ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(" ")}`,
    );
    lines.push(
      `devices: synthetic ${configBytes} B config, command latency ${latencyMs} ms; ${rounds} rounds per worker`,
    );
    for (const workers of [1, concurrency]) {
      log(`level: ${workers} concurrent...`);
      const s = await runLevel(workers, devices, world, gatewayUrl, token);
      const bare = summarize(s.bare);
      const direct = summarize(s.direct);
      const http = summarize(s.http);
      const own = s.http.map((ms, i) => ms - (s.requestMs[i] ?? 0) - (s.ingestWaitMs[i] ?? 0));
      lines.push("");
      lines.push(`${workers} concurrent trigger(s)                 p50     p95     p99     max  count (ms)`);
      lines.push(row("bare ssh exec (connect→export→close)", bare));
      lines.push(row("collector, direct NATS request", direct));
      lines.push(row("gateway HTTP trigger (stored: true)", http));
      lines.push(row("  of which NATS request (gateway)", summarize(s.requestMs)));
      lines.push(row("  of which wait for ingest event", summarize(s.ingestWaitMs)));
      lines.push(row("  of which gateway's own work", summarize(own)));
      if (direct && http) {
        lines.push(
          `gateway adds (http − direct): p50 ${(http.p50 - direct.p50).toFixed(1)} ms, p99 ${(http.p99 - direct.p99).toFixed(1)} ms` +
            ` | without the ingest wait: p50 ${((summarize(s.http.map((ms, i) => ms - (s.ingestWaitMs[i] ?? 0)))?.p50 ?? 0) - direct.p50).toFixed(1)} ms`,
        );
      }
      if (s.failures.length) lines.push(`failures: ${s.failures.length} (${[...new Set(s.failures)].join("; ")})`);
    }
    lines.push("");
    lines.push(
      `command: npm run -w @netledger/bench gateway-trigger -- --rounds ${rounds} --concurrency ${concurrency} --latency-ms ${latencyMs} --config-bytes ${configBytes}`,
    );
    console.log(lines.join("\n"));
  } finally {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => log(`cleanup: ${String(err)}`));
  }
}

await main();
