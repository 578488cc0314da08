import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type ssh2 from "ssh2";
import { startFleet } from "./fleet.js";
import { connect, exec, execOn } from "./testing/ssh-client.js";
import type { Fleet, SimDevice } from "./types.js";

type ErrorWithDetails = Error & { level?: string; code?: string };

/** Streams an export until `limit` bytes arrived, then closes the channel; returns what came. */
function readUpTo(client: ssh2.Client, command: string, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, channel) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      let size = 0;
      channel.on("data", (data: Buffer) => {
        chunks.push(data);
        size += data.length;
        if (size > limit) {
          channel.destroy();
          resolve(Buffer.concat(chunks));
        }
      });
      channel.on("close", () => resolve(Buffer.concat(chunks)));
    });
  });
}

describe("failure modes seen from an SSH client", () => {
  let fleet: Fleet;
  let stateDir: string;
  const dev = (i: number): SimDevice => fleet.devices[i]!;

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "device-sim-test-"));
    fleet = await startFleet({
      count: 10,
      stateDir,
      config: { kind: "synthetic", bytes: 30_000 },
      oversizeBytes: 8 * 1024 * 1024,
      slowChunkBytes: 2048,
      slowIntervalMs: 5,
    });
  });
  after(async () => {
    await fleet.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it("auth-fail rejects every authentication", async () => {
    await dev(0).setFailure("auth-fail");
    assert.equal(dev(0).failure, "auth-fail");
    await assert.rejects(connect(dev(0)), (err: ErrorWithDetails) => err.level === "client-authentication");
    await dev(0).setFailure(null);
    assert.equal((await exec(dev(0), "/system identity print")).exitCode, 0);
  });

  it("refuse closes the port and clearing it re-opens the same port", async () => {
    const port = dev(1).port;
    await dev(1).setFailure("refuse");
    await assert.rejects(connect(dev(1)), (err: ErrorWithDetails) => err.code === "ECONNREFUSED");
    await dev(1).setFailure(null);
    assert.equal(dev(1).port, port);
    assert.match((await exec(dev(1), "/export")).text, /^# /);
  });

  it("hang accepts the session but never answers the export nor closes", async () => {
    await dev(2).setFailure("hang");
    const client = await connect(dev(2));
    try {
      assert.match((await execOn(client, "/system identity print")).text, /name: /);
      await assert.rejects(execOn(client, "/export show-sensitive", 300), /no answer/);
      assert.equal(dev(2).stats.concurrent, 1);
    } finally {
      client.end();
    }
  });

  it("hang-banner accepts TCP but never sends the SSH identification", async () => {
    await dev(3).setFailure("hang-banner");
    await assert.rejects(connect(dev(3), { readyTimeoutMs: 300 }), /Timed out while waiting for handshake/);
    assert.equal(dev(3).stats.sessions, 1);
  });

  it("slow trickles the export in many small chunks, complete in the end", async () => {
    await dev(4).setFailure("slow");
    const client = await connect(dev(4));
    try {
      let chunks = 0;
      const text = await new Promise<string>((resolve, reject) => {
        client.exec("/export", (err, channel) => {
          if (err) return reject(err);
          let out = "";
          channel.on("data", (data: Buffer) => {
            chunks++;
            out += data.toString();
          });
          channel.on("close", () => resolve(out));
        });
      });
      assert.ok(text.length > 28_000 && text.endsWith("\r\n"));
      assert.ok(chunks >= Math.floor(text.length / 2048), `${chunks} chunks for ${text.length} bytes`);
    } finally {
      client.end();
    }
  });

  it("drop destroys the connection after part of the export", async () => {
    await dev(5).setFailure("drop");
    const full = dev(5).renderExport();
    const client = await connect(dev(5));
    const result = await execOn(client, "/export");
    client.end();
    assert.equal(result.exitCode, null);
    assert.ok(result.text.length > 0 && result.text.length < full.length);
    // The header carries the time of each render: compare what follows it.
    const headerEnd = full.indexOf("\r\n");
    assert.equal(result.text.slice(headerEnd), full.slice(headerEnd, result.text.length));
  });

  it("truncate stops mid-line at a backslash continuation and still exits 0", async () => {
    await dev(6).setFailure("truncate");
    const { text, exitCode } = await exec(dev(6), "/export show-sensitive");
    assert.equal(exitCode, 0);
    assert.ok(text.endsWith(" \\"), JSON.stringify(text.slice(-40)));
    const full = dev(6).renderExport({ showSensitive: true });
    assert.ok(text.length < full.length);
    assert.equal(
      text.slice(text.indexOf("\n")),
      full.slice(full.indexOf("\n"), full.indexOf("\n") + text.length - text.indexOf("\n")),
    );
  });

  it("cut-byte and cut-line stop each export at another random point, with exit status 0", async () => {
    for (const kind of ["cut-byte", "cut-line"] as const) {
      await dev(6).setFailure(kind);
      const full = dev(6).renderExport({ showSensitive: true });
      const body = full.slice(full.indexOf("\n"));
      const cuts = new Set<number>();
      for (let i = 0; i < 3; i++) {
        const { text, exitCode } = await exec(dev(6), "/export show-sensitive");
        assert.equal(exitCode, 0);
        assert.ok(text.length < full.length, kind);
        assert.ok(body.startsWith(text.slice(text.indexOf("\n"))), `${kind}: a prefix of the export`);
        assert.equal(text.endsWith("\n"), kind === "cut-line", `${kind}: ${JSON.stringify(text.slice(-20))}`);
        cuts.add(text.length);
      }
      assert.equal(cuts.size, 3, `${kind}: every export cut at its own point`);
    }
    await dev(6).setFailure(null);
  });

  it("garbage sends binary bytes instead of an export", async () => {
    await dev(7).setFailure("garbage");
    const { stdout, exitCode } = await exec(dev(7), "/export");
    assert.equal(exitCode, 0);
    assert.ok(stdout.includes(0) && !stdout.equals(Buffer.from(stdout.toString("utf8"))));
    assert.ok(!stdout.subarray(0, 2).equals(Buffer.from("# ")));
  });

  it("oversize streams a valid-looking export far beyond the limit, and the device recovers", async () => {
    await dev(8).setFailure("oversize");
    const client = await connect(dev(8));
    try {
      const limit = 3 * 1024 * 1024;
      const received = await readUpTo(client, "/export", limit);
      assert.ok(received.length > limit);
      assert.match(received.subarray(0, 200).toString(), /^# \S+ \S+ by RouterOS [\d.]+\r\n# software id = /);
      await dev(8).setFailure(null);
      assert.equal((await execOn(client, "/export")).text.length, dev(8).renderExport().length);
    } finally {
      client.end();
    }
  });

  it("hostkey-rotated presents a new key that fails pinned verification and persists across restarts", async () => {
    const device = dev(9);
    const oldFingerprint = device.hostKeyFingerprint;
    await device.setFailure("hostkey-rotated");
    const newFingerprint = device.hostKeyFingerprint;
    assert.notEqual(newFingerprint, oldFingerprint);
    assert.match(newFingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    await assert.rejects(connect(device, { fingerprint: oldFingerprint }), /verification failed/);
    assert.equal((await exec(device, "/system identity print")).exitCode, 0);

    const restarted = await startFleet({ count: 10, stateDir });
    try {
      assert.equal(restarted.device(device.name).hostKeyFingerprint, newFingerprint);
      assert.equal(restarted.device(dev(0).name).hostKeyFingerprint, dev(0).hostKeyFingerprint);
    } finally {
      await restarted.stop();
    }
  });
});
