import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import type { TriggerReply } from "@netledger/contracts";
import { generateEd25519 } from "@netledger/device-sim";
import { getDriver, sha256Hex } from "@netledger/drivers";
import { createLogger } from "@netledger/platform";
import { realRouterOsExports } from "@netledger/testkit";
import { type Harness, startHarness } from "../../test/harness.js";

const driver = getDriver("routeros");
const REAL_EXPORTS = realRouterOsExports();

function expectSuccess(reply: TriggerReply): Extract<TriggerReply, { kind: "success" }> {
  assert.equal(reply.kind, "success", `expected success, got ${JSON.stringify(reply)}`);
  return reply as Extract<TriggerReply, { kind: "success" }>;
}

async function withHarness(options: Parameters<typeof startHarness>[0], fn: (h: Harness) => Promise<void>) {
  const harness = await startHarness(options);
  try {
    await fn(harness);
  } finally {
    await harness.close();
  }
}

describe("backup pipeline (trigger path)", () => {
  it("backs up a device: reply, stored snapshot under the msg id, sealed content opens to the normalized text", {
    timeout: 60_000,
  }, async () => {
    await withHarness({ fleet: { count: 1, versions: ["7.16.1"] } }, async (h) => {
      const sim = h.fleet.devices[0]!;
      const ref = h.ref(sim);
      const reply = expectSuccess(await h.trigger(ref));
      const expected = driver.normalize(sim.renderExport({ showSensitive: true }));
      assert.equal(reply.sha256, sha256Hex(expected));
      assert.equal(reply.bytes, Buffer.byteLength(expected));
      assert.equal(reply.hostKeyFingerprint, sim.hostKeyFingerprint);
      assert.equal(reply.snapshotMsgId, `trigger:${(reply as { requestId: string }).requestId}`);

      const stored = await h.snapshot(ref);
      assert.ok(stored, "snapshot in the stream");
      assert.equal(stored.msgId, reply.snapshotMsgId);
      assert.equal(stored.event.sha256, reply.sha256);
      assert.equal(stored.event.trigger, "manual");
      assert.equal(stored.event.softwareVersion, "7.16.1");
      assert.equal(stored.event.content.kind, "inline");
      assert.equal(await h.openContent(stored.event), expected);
      assert.equal(sim.stats.maxConcurrent, 1);
      const counted = await h.collector!.metrics.backups.get();
      assert.deepEqual(
        counted.values.map((v) => [v.labels, v.value]),
        [[{ outcome: "success", driver: "routeros", trigger: "manual", code: "" }, 1]],
      );
    });
  });

  it("sends no content when the export hashes to the latest version the request names, and sends it otherwise", {
    timeout: 60_000,
  }, async () => {
    await withHarness({ fleet: { count: 1, versions: ["7.16.1"] } }, async (h) => {
      const sim = h.fleet.devices[0]!;
      const expected = driver.normalize(sim.renderExport({ showSensitive: true }));
      const same = h.ref(sim, {
        lastSnapshotSha256: sha256Hex(expected),
        lastSnapshotBytes: Buffer.byteLength(expected),
      });
      const reply = expectSuccess(await h.trigger(same));
      assert.equal(reply.sha256, sha256Hex(expected));
      const stored = await h.snapshot(same);
      assert.equal(stored?.msgId, reply.snapshotMsgId);
      assert.deepEqual(stored?.event.content, { kind: "stored" });
      assert.equal(stored?.event.bytes, Buffer.byteLength(expected));
      assert.deepEqual(await h.blobNames(), [], "nothing uploaded");

      const other = h.ref(sim, { lastSnapshotSha256: sha256Hex("another config"), lastSnapshotBytes: 10 });
      expectSuccess(await h.trigger(other));
      const sent = await h.snapshot(other);
      assert.equal(sent?.event.content.kind, "inline");
      assert.equal(await h.openContent(sent!.event), expected);

      const kinds = await h.collector!.metrics.snapshotContent.get();
      const counts = Object.fromEntries(kinds.values.map((v) => [String(v.labels.kind), v.value]));
      assert.deepEqual(counts, { inline: 1, stored: 1 });
    });
  });

  it("logs in with a private key", { timeout: 60_000 }, async () => {
    // node:crypto keys encoded by the simulator: ssh2's generator makes about 1 key in 256 unparsable.
    const key = generateEd25519("pipeline-test");
    await withHarness({ fleet: { count: 1, authorizedKeys: [key.publicKey] } }, async (h) => {
      const sim = h.fleet.devices[0]!;
      const reply = await h.trigger(h.ref(sim, {}, { username: sim.username, privateKey: key.privateKey }));
      expectSuccess(reply);
      const wrong = generateEd25519("pipeline-test-wrong");
      const denied = await h.trigger(h.ref(sim, {}, { username: sim.username, privateKey: wrong.privateKey }));
      assert.equal(denied.kind === "failed" && denied.code, "SSH_AUTH_FAILED");
    });
  });

  it("lets only one of two concurrent backups of a device run; the other is told it is locked", {
    timeout: 60_000,
  }, async () => {
    await withHarness({ fleet: { count: 1, latencyMs: 300 } }, async (h) => {
      const sim = h.fleet.devices[0]!;
      const ref = h.ref(sim);
      const replies = await Promise.all([h.trigger(ref), h.trigger(ref)]);
      assert.deepEqual(replies.map((r) => r.kind).sort(), ["locked", "success"]);
      assert.equal(sim.stats.maxConcurrent, 1);
      assert.equal(sim.stats.sessions, 1, "the locked backup never opened a session");
    });
  });

  it("receives a 5 MB export whole, through the object store, and hashes it stably", { timeout: 60_000 }, async () => {
    await withHarness(
      { fleet: { count: 1, versions: ["7.16.1"], config: { kind: "synthetic", bytes: 5_000_000, seed: 7 } } },
      async (h) => {
        const sim = h.fleet.devices[0]!;
        const ref = h.ref(sim);
        const expected = driver.normalize(sim.renderExport({ showSensitive: true }));
        assert.ok(Buffer.byteLength(expected) > 4_500_000, "the fixture is really multi-MB");
        const first = expectSuccess(await h.trigger(ref));
        const second = expectSuccess(await h.trigger(ref));
        assert.equal(first.bytes, Buffer.byteLength(expected));
        assert.equal(first.sha256, sha256Hex(expected));
        assert.equal(second.sha256, first.sha256);
        const stored = await h.snapshot(ref);
        assert.equal(stored?.event.content.kind, "object");
        assert.equal(await h.openContent(stored!.event), expected);
      },
    );
  });

  it("hashes every real fixture like normalize(file), stable across header times", {
    timeout: 60_000,
    skip: REAL_EXPORTS.skip,
  }, async () => {
    const FIXTURES = REAL_EXPORTS.dir!;
    const files = REAL_EXPORTS.names();
    await withHarness({ fleet: { count: files.length, config: { kind: "fixtures", dir: FIXTURES } } }, async (h) => {
      assert.equal(h.fleet.devices.length, files.length);
      const normalizedFiles = new Set(
        await Promise.all(
          files.map(async (f) => sha256Hex(driver.normalize(await readFile(join(FIXTURES, f), "utf8")))),
        ),
      );
      const refs = h.fleet.devices.map((sim) => h.ref(sim));
      const first = await Promise.all(refs.map((ref) => h.trigger(ref)));
      // The header carries the time of the export: make sure the second round renders another one.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const second = await Promise.all(refs.map((ref) => h.trigger(ref)));
      for (const [i, sim] of h.fleet.devices.entries()) {
        const a = expectSuccess(first[i]!);
        const b = expectSuccess(second[i]!);
        assert.equal(a.sha256, b.sha256, `${sim.name}: same hash across collections`);
        assert.ok(normalizedFiles.has(a.sha256), `${sim.name}: hash equals normalize(file)`);
      }
    });
  });

  it("falls back once on a v6 device without a version hint, and not at all with one", {
    timeout: 60_000,
  }, async () => {
    await withHarness({ fleet: { count: 1, versions: ["6.49.10"] } }, async (h) => {
      const sim = h.fleet.devices[0]!;
      const blind = expectSuccess(await h.trigger(h.ref(sim)));
      assert.equal(sim.stats.commands, 2, "one rejected command, one fallback");
      const stored = await h.snapshot(h.ref(sim));
      assert.equal(stored?.event.softwareVersion, "6.49.10");
      sim.resetStats();
      const hinted = expectSuccess(await h.trigger(h.ref(sim, { softwareVersion: "6.49.10" })));
      assert.equal(sim.stats.commands, 1, "the right command first time");
      assert.equal(hinted.sha256, blind.sha256);
    });
  });

  it("a snapshot the stream refuses: PUBLISH_FAILED with its cause logged, and its blob deleted", {
    timeout: 120_000,
  }, async () => {
    const lines: string[] = [];
    const logger = createLogger({
      name: "collector-test",
      level: "warn",
      destination: { write: (l) => lines.push(l) },
    });
    await withHarness(
      {
        fleet: { count: 1, config: { kind: "synthetic", bytes: 5_000_000, seed: 7 } },
        env: { SSH_COMMAND_TIMEOUT_MS: "20000" }, // a loaded machine may pause longer than the 2 s of TEST_ENV
        logger,
      },
      async (h) => {
        const jsm = await jetstreamManager(h.world.nc);
        const { config } = await jsm.streams.info(h.world.wire.streams.snapshots.name);
        await jsm.streams.update(config.name, { ...config, max_bytes: 64 }); // discard new: refuses
        const sim = h.fleet.devices[0]!;
        const reply = await h.trigger(h.ref(sim), 60_000);
        assert.equal(reply.kind === "failed" && reply.code, "PUBLISH_FAILED", JSON.stringify(reply));
        // 5 MB synthetic exports go to the object store (see the 5 MB test above).
        assert.deepEqual(await h.blobNames(), [], "no orphaned blob");
        const failed = lines
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => l.msg === "backup failed");
        assert.equal(failed?.code, "PUBLISH_FAILED");
        assert.match(String(failed?.cause), /maximum bytes/i);
        assert.doesNotMatch(lines.join("\n"), new RegExp(sim.password.replace(/\W/g, "\\$&")));
      },
    );
  });
});
