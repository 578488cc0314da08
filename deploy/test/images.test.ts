/**
 * The container image, built and run: the base image from scripts/build-base-image.sh (no registry
 * here), the Dockerfile on top, then each entry run with `--network host --read-only` as a non-root
 * user against this machine's NATS, Redis and PostgreSQL in an isolated test world.
 * Without a Docker engine (or without debootstrap and NETLEDGER_NODE_IMAGE) the whole file is
 * skipped with one line, except under CI=true (.ci/run prepares both with scripts/ensure-docker.sh),
 * where it fails.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { jetstreamManager } from "@nats-io/jetstream";
import { COLLECTOR_NODE_FLAGS } from "@netledger/collector";
import { SnapshotEventCodec, TriggerReplyCodec, TriggerRequestCodec } from "@netledger/contracts";
import { dropDatabase, withDatabaseName } from "@netledger/db";
import { type Fleet, startFleet } from "@netledger/device-sim";
import { deviceSealAad } from "@netledger/platform";
import { createWorld, freePort, TEST_STREAM_MAX_BYTES, type World } from "@netledger/testkit";
import { type FleetDevice, seedFleet } from "../../services/ingestor/test/messages.js";
import { docker, engineUnavailable, hasCommand, repoRoot, runScript } from "./docker.js";

const IMAGE = "netledger:test";
const BUILD_TIMEOUT_MS = 15 * 60_000;
/** `docker stop -t`: the collector gets its shutdown grace (set below) plus a margin; others 10 s. */
const GRACE_S = { gateway: 10, collector: 15, ingestor: 10 } as const;
type Service = keyof typeof GRACE_S;

/** A prebuilt Node image to build on (e.g. node:24-bookworm-slim where a registry answers). */
const givenBase = process.env.NETLEDGER_NODE_IMAGE?.trim() || null;
const unavailable =
  (await engineUnavailable()) ??
  (givenBase || (await hasCommand("debootstrap")) ? null : "debootstrap is not installed");
if (unavailable && process.env.CI === "true") {
  throw new Error(
    `CI=true but the image test cannot run (${unavailable}); .ci/run prepares it with scripts/ensure-docker.sh`,
  );
}
const skip = unavailable ? `image test skipped: ${unavailable}` : false;

describe("container image", { skip, timeout: BUILD_TIMEOUT_MS + 5 * 60_000 }, () => {
  let world: World;
  let fleet: Fleet;
  const containers: string[] = [];
  const prefix = `nl-img-${randomUUID().slice(0, 8)}`;
  let serviceEnv: Record<string, string>;

  before(
    async () => {
      const started = performance.now();
      const base = givenBase ?? (await runScript("scripts/build-base-image.sh"));
      const baseDone = performance.now();
      const build = await docker(["build", "--network", "host", "--build-arg", `NODE_IMAGE=${base}`, "-t", IMAGE, "."]);
      assert.equal(build.code, 0, `docker build failed:\n${build.stdout}\n${build.stderr}`);
      // Each source change leaves the previous build stage untagged (~550 MB): keep a day's worth as cache.
      await docker(["image", "prune", "-f", "--filter", "until=24h"]);
      const seconds = (from: number, to: number) => ((to - from) / 1000).toFixed(1);
      console.log(
        `base image ${base}: ${seconds(started, baseDone)} s; docker build: ${seconds(baseDone, performance.now())} s`,
      );
      world = await createWorld();
      fleet = await startFleet({ count: 1, versions: ["7.16.1"] });
      serviceEnv = {
        ...world.env(),
        LOG_LEVEL: "info",
        NETLEDGER_SNAPSHOTS_MAX_BYTES: String(TEST_STREAM_MAX_BYTES),
        NETLEDGER_EVENTS_MAX_BYTES: String(TEST_STREAM_MAX_BYTES),
        COLLECTOR_SHUTDOWN_GRACE_MS: "5000",
      };
    },
    { timeout: BUILD_TIMEOUT_MS },
  );
  after(async () => {
    for (const name of containers) await docker(["rm", "-f", name]);
    await fleet?.stop();
    await world?.close();
  });

  /** `docker run` with the production constraints: host network, read-only root, non-root uid. */
  function runArgs(name: string, env: Record<string, string>, entry: string, detach: boolean): string[] {
    const flags = Object.keys(env).flatMap((key) => ["-e", key]);
    return [
      "run",
      ...(detach ? ["-d"] : ["--rm"]),
      "--name",
      name,
      "--network",
      "host",
      "--read-only",
      "--user",
      "10001:10001",
      "--cap-drop",
      "ALL",
      "--security-opt",
      "no-new-privileges",
      ...flags,
      IMAGE,
      // As the manifests start it: the collector with its shipped heap sizes.
      ...(entry === "collector" ? COLLECTOR_NODE_FLAGS : []),
      `/app/${entry}.mjs`,
    ];
  }

  async function start(service: Service, env: Record<string, string>): Promise<{ name: string; port: number }> {
    const port = await freePort();
    const name = `${prefix}-${service}`;
    const all = { ...env, OPS_PORT: String(port) };
    const run = await docker(runArgs(name, all, service, true), all);
    assert.equal(run.code, 0, run.stderr);
    containers.push(name);
    return { name, port };
  }

  async function waitReady(name: string, port: number): Promise<unknown> {
    for (;;) {
      const state = await docker(["inspect", "--format", "{{.State.Running}}", name]);
      if (state.stdout.trim() !== "true") assert.fail(`${name} stopped:\n${(await docker(["logs", name])).stderr}`);
      const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
      if (response?.status === 200) return response.json();
      await delay(200);
    }
  }

  async function stopWithinGrace(service: Service, name: string): Promise<void> {
    const stop = await docker(["stop", "-t", String(GRACE_S[service]), name]);
    assert.equal(stop.code, 0, stop.stderr);
    const exit = await docker(["inspect", "--format", "{{.State.ExitCode}} {{.State.OOMKilled}}", name]);
    const logs = await docker(["logs", name]);
    assert.equal(exit.stdout.trim(), "0 false", `${name} did not exit 0 on SIGTERM:\n${logs.stdout}${logs.stderr}`);
  }

  test("the image runs as a non-root user, with no HEALTHCHECK, exec-form entrypoint", async () => {
    const inspect = await docker(["image", "inspect", "--format", "{{json .Config}}", IMAGE]);
    const config = JSON.parse(inspect.stdout) as { User: string; Entrypoint: string[]; Healthcheck: unknown };
    assert.match(config.User, /^[1-9][0-9]*(:[1-9][0-9]*)?$/);
    assert.deepEqual(config.Entrypoint, ["node"]);
    assert.equal(config.Healthcheck ?? null, null);
  });

  test("the Dockerfile copies every workspace's package.json (npm ci needs them all)", async () => {
    const manifest = JSON.parse(await readFile(`${repoRoot}package.json`, "utf8")) as { workspaces: string[] };
    const dockerfile = await readFile(`${repoRoot}Dockerfile`, "utf8");
    const copied = [...dockerfile.matchAll(/^COPY (\S+)\/package\.json /gm)].map((m) => m[1]);
    const lock = JSON.parse(await readFile(`${repoRoot}package-lock.json`, "utf8")) as {
      packages: Record<string, { link?: boolean }>;
    };
    const workspaces = Object.entries(lock.packages)
      .filter(([path, entry]) => entry.link && path.startsWith("node_modules/"))
      .map(([path]) => path);
    assert.equal(copied.length, workspaces.length, `Dockerfile copies ${copied.join(", ")}`);
    assert.ok(manifest.workspaces.length > 0);
  });

  test("migrate exits 0 on a new database", async () => {
    const url = withDatabaseName(world.databaseUrl, `${world.databaseUrl.split("/").pop()}_img`);
    try {
      const env = { DATABASE_URL: url, LOG_LEVEL: "info" };
      const run = await docker(runArgs(`${prefix}-migrate`, env, "migrate", false), env);
      assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
      assert.match(run.stdout, /database migrated/);
    } finally {
      await dropDatabase(url);
    }
  });

  test("gateway, collector and ingestor become ready, back up and store a device's config, and stop with exit 0", async () => {
    const gateway = await start("gateway", { ...serviceEnv, GATEWAY_PORT: String(await freePort()) });
    const collector = await start("collector", serviceEnv);
    // No scheduled jobs: the one backup here is the trigger below.
    const ingestor = await start("ingestor", { ...serviceEnv, SCHEDULER_ENABLED: "false" });
    for (const c of [gateway, collector, ingestor]) {
      const checks = (await waitReady(c.name, c.port)) as Record<string, boolean>;
      assert.ok(Object.values(checks).every(Boolean), `${c.name}: ${JSON.stringify(checks)}`);
    }

    const sim = fleet.devices[0]!;
    const [{ tenantId, deviceId }] = (await seedFleet(world.db, 1)) as [FleetDevice];
    const credentials = world.sealer.sealString(
      JSON.stringify({ username: sim.username, password: sim.password }),
      deviceSealAad(tenantId, deviceId),
    );
    const request = TriggerRequestCodec.encode({
      requestId: randomUUID(),
      tenantId,
      deviceId,
      requestedAt: new Date().toISOString(),
      device: {
        name: sim.name,
        host: sim.host,
        port: sim.port,
        driver: "routeros",
        credentials,
        hostKeyFingerprint: null,
      },
    });
    const reply = TriggerReplyCodec.decode(
      (await world.nc.request(world.wire.subjects.trigger, request, { timeout: 30_000 })).data,
    );
    assert.equal(reply.kind, "success", JSON.stringify(reply));
    const jsm = await jetstreamManager(world.nc);
    const stored = await jsm.streams.getMessage(world.wire.streams.snapshots.name, {
      last_by_subj: world.wire.subjects.snapshot(tenantId, deviceId),
    });
    assert.ok(stored, "the snapshot is in the world's snapshots stream");
    const event = SnapshotEventCodec.decode(stored.data);
    assert.equal(reply.kind === "success" && event.sha256, reply.sha256);
    // ... and the ingestor container stores it in the world's database.
    for (;;) {
      const row = await world.db
        .selectFrom("config_snapshots")
        .select("sha256")
        .where("device_id", "=", deviceId)
        .executeTakeFirst();
      if (row) {
        assert.equal(row.sha256, event.sha256);
        break;
      }
      await delay(200);
    }

    for (const [service, c] of [
      ["gateway", gateway],
      ["collector", collector],
      ["ingestor", ingestor],
    ] as const) {
      await stopWithinGrace(service, c.name);
    }
  });
});
