import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { DeviceTarget } from "@netledger/contracts";
import { type CommandOutput, getDriver, sha256Hex } from "@netledger/drivers";
import {
  createSealer,
  generateKey,
  openSealedText,
  openSnapshotContent,
  parseKeyRing,
  readSealedSnapshotContent,
  type SnapshotBlobStore,
  type SnapshotText,
  sealSnapshotContent,
} from "@netledger/platform";
import type { SshConnector, SshSession } from "../ssh/ssh-session.js";
import type { BackupLimits } from "./backup-types.js";
import { type CollectTimings, collectExport, normalizedText } from "./collect-export.js";
import { replayConnector } from "./truncation-sweep.js";

const driver = getDriver("routeros");
const limits: BackupLimits = {
  connectTimeoutMs: 1000,
  commandTimeoutMs: 1000,
  commandDeadlineMs: 1000,
  exportMaxBytes: 1_000_000,
  secondReadMinBytes: 64 * 1024,
  publishTimeoutMs: 1000,
};
const LINES = Array.from({ length: 40 }, (_, i) => `add address=192.0.2.${i}/32 list=l${i}`);
const v7 = (lines = LINES) =>
  `# 2026-11-30 12:00:00 by RouterOS 7.16.1\r\n/ip firewall address-list\r\n${lines.join("\r\n")}\r\n`;
/** For exports past the 1 MiB synchronous gzip size. */
const LARGE_LIMITS: BackupLimits = { ...limits, exportMaxBytes: 8 * 1024 * 1024 };
const ok = (text: string): CommandOutput => ({ stdout: Buffer.from(text), stderr: "", exitCode: 0 });
const whole = driver.normalize(v7());
const cut = v7(LINES.slice(0, 25));

function device(extra: Partial<DeviceTarget> = {}): DeviceTarget {
  return {
    name: "d",
    host: "192.0.2.1",
    port: 22,
    driver: "routeros",
    credentials: "v1:k:x",
    hostKeyFingerprint: null,
    ...extra,
  };
}

function collect(ssh: SshConnector, target: DeviceTarget, timings?: CollectTimings, backupLimits = limits) {
  return collectExport({
    ssh,
    driver,
    device: target,
    credentials: { username: "u", password: "p" },
    limits: backupLimits,
    signal: new AbortController().signal,
    timings,
  });
}

describe("collectExport", () => {
  it("reads an export smaller than the previous version again, and stores the whole one", async () => {
    const commands: string[] = [];
    const ssh = replayConnector((command, n) => {
      commands.push(command);
      return ok(n === 0 ? cut : v7());
    });
    const collected = await collect(ssh, device({ lastSnapshotBytes: Buffer.byteLength(whole) }));
    assert.equal(normalizedText(collected), whole);
    assert.equal(collected.commands, 3);
    assert.deepEqual(new Set(commands), new Set(["/export show-sensitive"]));
  });

  it("refuses when reads of a shrunken export keep differing", async () => {
    const ssh = replayConnector((_c, n) => ok(v7(LINES.slice(0, 10 + n))));
    await assert.rejects(collect(ssh, device({ lastSnapshotBytes: Buffer.byteLength(whole) })), {
      code: "EXPORT_TRUNCATED",
    });
  });

  it("refuses when two reads agree but another read was longer", async () => {
    const ssh = replayConnector((_c, n) => ok(n === 0 ? v7() : cut));
    await assert.rejects(collect(ssh, device({ lastSnapshotBytes: null })), { code: "EXPORT_TRUNCATED" });
  });

  it("reads a small export once when it is not smaller than the previous version, or the size is not sent", async () => {
    for (const target of [device({ lastSnapshotBytes: Buffer.byteLength(whole) }), device()]) {
      const ssh = replayConnector(() => ok(v7()));
      const collected = await collect(ssh, target);
      assert.equal(collected.commands, 1);
      assert.equal(normalizedText(collected), whole);
    }
  });

  it("reads twice a first version (no stored one) and any export over the size threshold", async () => {
    const first = await collect(
      replayConnector(() => ok(v7())),
      device({ lastSnapshotBytes: null }),
    );
    assert.equal(first.commands, 2);
    const big = Array.from({ length: 3000 }, (_, i) => `add address=198.51.${i >> 8}.${i & 255} list=big`);
    const large = await collect(
      replayConnector(() => ok(v7(big))),
      device({ lastSnapshotBytes: 1 }),
    );
    assert.equal(large.commands, 2);
  });

  it("re-runs with show-sensitive when the stale v6 hint meets a v7 device", async () => {
    const commands: string[] = [];
    const ssh = replayConnector((command) => {
      commands.push(command);
      return ok(v7());
    });
    const collected = await collect(ssh, device({ softwareVersion: "6.49.10" }));
    assert.deepEqual(commands, ["/export", "/export show-sensitive"]);
    assert.equal(collected.softwareVersion, "7.16.1");
  });

  it("reports the time spent connecting also when the backup then fails", async () => {
    const slow: SshConnector = {
      connect: async (target, options) => {
        await sleep(20);
        return replayConnector(() => ok("not an export\r\n")).connect(target, options);
      },
    };
    const timings: CollectTimings = { connectMs: 0, exportMs: 0 };
    await assert.rejects(collect(slow, device(), timings), { code: "EXPORT_INVALID" });
    assert.ok(timings.connectMs >= 15, `connectMs ${timings.connectMs}`);
  });

  it("gives the one-string path's text, sha256 and sealed content when the output streams in awkward chunks", async () => {
    // A multi-byte character, CRLFs and a continuation line ("\\" CRLF indent) in every line.
    const lines = Array.from({ length: 300 }, (_, i) => `add comment="caf\u00e9 ${i} \\\r\n    suite" name=n${i}`);
    const text = v7(lines);
    const bytes = Buffer.from(text, "utf8");
    const awkward = [
      ...[...text.matchAll(/\u00e9/g)].map((m) => Buffer.byteLength(text.slice(0, m.index), "utf8") + 1),
      ...[...text.matchAll(/\r\n/g)].map((m) => Buffer.byteLength(text.slice(0, m.index), "utf8") + 1),
      ...[...text.matchAll(/\\\r/g)].map((m) => Buffer.byteLength(text.slice(0, m.index), "utf8") + 1),
    ];
    const cuts = [...new Set(awkward)].sort((a, b) => a - b);
    const streaming: SshConnector = {
      connect: async () =>
        ({
          hostKeyFingerprint: "SHA256:stream",
          hostKeyType: null,
          exec: async (_command, options) => {
            let start = 0;
            for (const end of [...cuts, bytes.length]) {
              options.onStdout?.(bytes.subarray(start, end));
              start = end;
            }
            return { stdout: bytes, stderr: "", exitCode: 0 };
          },
          close: async () => {},
        }) satisfies SshSession,
    };
    // No stored version yet: read twice, the second read compared chunk by chunk.
    const collected = await collect(streaming, device({ lastSnapshotBytes: null }));
    assert.equal(collected.commands, 2);
    const oneString = driver.normalize(text);
    assert.equal(normalizedText(collected), oneString);
    assert.equal(collected.sha256, sha256Hex(oneString));
    assert.equal(collected.bytes, Buffer.byteLength(oneString, "utf8"));

    const sealer = createSealer(parseKeyRing(`k:${generateKey()}`));
    const blobs: SnapshotBlobStore = { putBlob: async () => {}, getBlob: async () => null };
    const aad = "t:d";
    const seal = (content: SnapshotText) =>
      sealSnapshotContent({ text: content, sealer, aad, blobs, bucket: "b", name: "n" });
    const [fromChunks, fromString] = [await seal(collected.content), await seal(oneString)];
    assert.ok(fromChunks.kind === "inline" && fromString.kind === "inline");
    assert.deepEqual(
      sealer.open(Buffer.from(fromChunks.sealedGzipBase64, "base64"), aad),
      sealer.open(Buffer.from(fromString.sealedGzipBase64, "base64"), aad),
    );
    assert.equal(await openSnapshotContent(fromChunks, { sealer, aad, blobs }), oneString);
  });

  it("holds a large export gzipped as it is read, in odd chunks: same text and sha256, opened as the ingestor does", async () => {
    const lines = Array.from(
      { length: 60_000 },
      (_, i) => `add address=10.${i % 256}.${i >> 8}.1/32 comment="caf\u00e9 ${i}"`,
    );
    const text = v7(lines);
    const bytes = Buffer.from(text, "utf8");
    const oneString = driver.normalize(text);
    assert.ok(Buffer.byteLength(oneString) > 2 * 1024 * 1024);
    let reads = 0;
    const streaming: SshConnector = {
      connect: async () =>
        ({
          hostKeyFingerprint: "SHA256:stream",
          hostKeyType: null,
          exec: async (_command, options) => {
            reads++;
            for (let start = 0, i = 0; start < bytes.length; i++) {
              const end = Math.min(bytes.length, start + [1, 7_919, 65_537, 3, 31_337][i % 5]!);
              options.onStdout?.(bytes.subarray(start, end));
              start = end;
            }
            return { stdout: bytes.subarray(0, 64 * 1024), stderr: "", exitCode: 0 };
          },
          close: async () => {},
        }) satisfies SshSession,
    };
    const collected = await collect(streaming, device({ lastSnapshotBytes: null }), undefined, LARGE_LIMITS);
    assert.equal(reads, 2);
    assert.ok(typeof collected.content !== "string" && "gzipped" in collected.content);
    assert.ok(collected.content.gzipped.length < bytes.length / 4);
    assert.equal(normalizedText(collected), oneString);
    assert.equal(collected.sha256, sha256Hex(oneString));
    assert.equal(collected.bytes, Buffer.byteLength(oneString, "utf8"));

    const sealer = createSealer(parseKeyRing(`k:${generateKey()}`));
    const stored = new Map<string, Uint8Array>();
    const blobs: SnapshotBlobStore = {
      putBlob: async ({ name }, data) => void stored.set(name, data),
      getBlob: async (name) => stored.get(name) ?? null,
    };
    const aad = "t:d";
    const content = await sealSnapshotContent({
      text: collected.content,
      sealer,
      aad,
      blobs,
      bucket: "b",
      name: "n",
      inlineLimitBytes: 1024,
    });
    assert.equal(content.kind, "object");
    const opened = openSealedText(sealer, aad, await readSealedSnapshotContent(content, blobs));
    assert.equal(opened, oneString);
    assert.equal(sha256Hex(opened), collected.sha256);
  });

  it("returns a large third read gzipped as it was read when the first was cut", async () => {
    const lines = Array.from({ length: 60_000 }, (_, i) => `add address=10.${i % 256}.${i >> 8}.1/32 list=l${i}`);
    const [cutRead, fullRead] = [v7(lines.slice(0, 50_000)), v7(lines)].map((text) => Buffer.from(text, "utf8"));
    let reads = 0;
    const ssh: SshConnector = {
      connect: async () =>
        ({
          hostKeyFingerprint: "SHA256:stream",
          hostKeyType: null,
          exec: async (_command, options) => {
            const bytes = reads++ === 0 ? cutRead! : fullRead!;
            for (let start = 0; start < bytes.length; start += 50_021) {
              options.onStdout?.(bytes.subarray(start, start + 50_021));
            }
            return { stdout: bytes.subarray(0, 64 * 1024), stderr: "", exitCode: 0 };
          },
          close: async () => {},
        }) satisfies SshSession,
    };
    const collected = await collect(ssh, device(), undefined, LARGE_LIMITS);
    assert.equal(collected.commands, 3);
    assert.ok(typeof collected.content !== "string" && "gzipped" in collected.content);
    const expected = driver.normalize(fullRead!.toString("utf8"));
    assert.equal(normalizedText(collected), expected);
    assert.equal(collected.sha256, sha256Hex(expected));
  });
});
