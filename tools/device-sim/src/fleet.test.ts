import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { InvalidOptionsError, ListenError, UnknownDeviceError } from "./errors.js";
import { startFleet } from "./fleet.js";
import { generateEd25519 } from "./openssh-key.js";
import { connect, disconnect, exec, execOn } from "./testing/ssh-client.js";
import type { Fleet } from "./types.js";

const run = promisify(execFile);

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function hasBinary(name: string): Promise<boolean> {
  return run("sh", ["-c", `command -v ${name}`]).then(
    () => true,
    () => false,
  );
}

describe("fleet", () => {
  let dir: string;
  let fleet: Fleet;
  const userKey = generateEd25519("test-user");

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "device-sim-fleet-"));
    await writeFile(join(dir, "id"), userKey.privateKey, { mode: 0o600 });
    fleet = await startFleet({
      count: 3,
      stateDir: join(dir, "state"),
      authorizedKeys: [userKey.publicKey],
      latencyMs: 20,
    });
  });
  after(async () => {
    await fleet.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("counts sessions and commands, and maxConcurrent tells overlapping sessions from sequential ones", async () => {
    const device = fleet.devices[0]!;
    device.resetStats();
    for (let i = 0; i < 2; i++) await exec(device, "/system identity print");
    assert.deepEqual(device.stats, { sessions: 2, concurrent: 0, maxConcurrent: 1, commands: 2 });

    device.resetStats();
    const [a, b] = await Promise.all([connect(device), connect(device)]);
    await Promise.all([execOn(a, "/export"), execOn(b, "/export")]);
    await Promise.all([disconnect(a), disconnect(b)]);
    assert.deepEqual(device.stats, { sessions: 2, concurrent: 0, maxConcurrent: 2, commands: 2 });
    device.resetStats();
    assert.deepEqual(device.stats, { sessions: 0, concurrent: 0, maxConcurrent: 0, commands: 0 });
  });

  it("writes the inventory CSV and an OpenSSH known_hosts file that ssh-keygen reads", async () => {
    await fleet.writeInventory(join(dir, "out", "inventory.csv"));
    await fleet.writeKnownHosts(join(dir, "out", "known_hosts"));
    const rows = (await readFile(join(dir, "out", "inventory.csv"), "utf8")).trimEnd().split("\n");
    assert.equal(rows[0], "name,host,port,username,password,model");
    assert.deepEqual(
      rows.slice(1),
      fleet.devices.map((d) => `${d.name},127.0.0.1,${d.port},admin,pw-${d.name},${d.model}`),
    );
    const knownHosts = await readFile(join(dir, "out", "known_hosts"), "utf8");
    assert.deepEqual(
      knownHosts.trimEnd().split("\n"),
      fleet.devices.map((d) => `[127.0.0.1]:${d.port} ${d.hostPublicKey}`),
    );
    if (await hasBinary("ssh-keygen")) {
      const { stdout } = await run("ssh-keygen", ["-lf", join(dir, "out", "known_hosts")]);
      assert.deepEqual(
        stdout.trimEnd().split("\n"),
        fleet.devices.map((d) => `256 ${d.hostKeyFingerprint} [127.0.0.1]:${d.port} (ED25519)`),
      );
    }
  });

  it("is reachable by OpenSSH with strict host key checking against the written known_hosts", async (t) => {
    if (!(await hasBinary("ssh"))) return t.skip("no ssh client installed");
    const device = fleet.devices[1]!;
    await fleet.writeKnownHosts(join(dir, "known_hosts"));
    const { stdout } = await run("ssh", [
      ...["-i", join(dir, "id"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes"],
      ...["-o", `UserKnownHostsFile=${join(dir, "known_hosts")}`, "-o", "StrictHostKeyChecking=yes"],
      ...["-p", String(device.port), "admin@127.0.0.1", "/system identity print"],
    ]);
    assert.equal(stdout, `  name: ${device.identity}\r\n`);
  });

  it("finds devices by name and rejects bad options", async () => {
    assert.equal(fleet.device("sim-002"), fleet.devices[1]);
    assert.throws(() => fleet.device("nope"), UnknownDeviceError);
    await assert.rejects(startFleet({ count: 0 }), InvalidOptionsError);
    await assert.rejects(startFleet({ count: 1, versions: ["5.26"] }), InvalidOptionsError);
    await assert.rejects(startFleet({ count: 1, basePort: fleet.devices[0]!.port }), ListenError);
  });

  it("listens on consecutive ports from basePort", async () => {
    let started: Fleet | null = null;
    for (let attempt = 0; started === null && attempt < 5; attempt++) {
      const base = await freePort();
      started = await startFleet({ count: 2, basePort: base }).catch((err) => {
        if (err instanceof ListenError) return null;
        throw err;
      });
      if (started !== null)
        assert.deepEqual(
          started.devices.map((d) => d.port),
          [base, base + 1],
        );
    }
    assert.ok(started !== null);
    await started.stop();
  });

  it("stops by itself at the time limit and removes its temporary state", async () => {
    const short = await startFleet({ count: 1, timeLimitMs: 100 });
    const device = short.devices[0]!;
    await short.stopped;
    await assert.rejects(connect(device), (err: Error & { code?: string }) => err.code === "ECONNREFUSED");
    await short.stop();
  });
});

describe("CLI", () => {
  it("prints a line per device and a ready line, serves SSH, writes files, stops cleanly on SIGTERM", async () => {
    const dir = await mkdtemp(join(tmpdir(), "device-sim-cli-"));
    const cli = spawn(
      process.execPath,
      [
        ...["--import", "tsx", join(import.meta.dirname, "cli.ts")],
        ...["--count", "2", "--latency-ms", "0", "--synthetic-bytes", "5000", "--time-limit-s", "60"],
        ...["--inventory", join(dir, "inv.csv"), "--known-hosts", join(dir, "kh"), "--password", "s3cret"],
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      let out = "";
      cli.stdout.on("data", (d: Buffer) => {
        out += d.toString();
      });
      while (!out.includes("ready: 2 devices")) await once(cli.stdout, "data");
      const lines = out.trimEnd().split("\n");
      assert.match(lines[0]!, /^sim-001 127\.0\.0\.1:\d+ user=admin routeros=7\.16\.1 model=\S+ hostkey=SHA256:\S+$/);
      assert.ok(!out.includes("s3cret"), "the password must not be printed");
      const row = (await readFile(join(dir, "inv.csv"), "utf8")).split("\n")[1]!.split(",");
      const device = { name: row[0]!, host: row[1]!, port: Number(row[2]), username: "admin", password: "s3cret" };
      const fingerprint = /hostkey=(\S+)/.exec(lines[0]!)![1]!;
      const client = await connect({ ...device, hostKeyFingerprint: fingerprint } as never);
      assert.match((await execOn(client, "/export")).text, /^# \d{4}-/);
      client.end();
      cli.kill("SIGTERM");
      const [code] = await once(cli, "exit");
      assert.equal(code, 0);
      assert.match(out, /stopped\n$/);
    } finally {
      cli.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
  });
});
