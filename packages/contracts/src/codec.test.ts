import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import {
  BackupFailedEventCodec,
  BackupJobCodec,
  createWire,
  type DeviceTarget,
  InvalidMessageError,
  NORMALIZATION_VERSION,
  type SnapshotEvent,
  SnapshotEventCodec,
  TriggerReplyCodec,
  TriggerRequestCodec,
} from "./index.js";

const device: DeviceTarget = {
  name: "edge-1",
  host: "127.0.0.1",
  port: 2222,
  driver: "routeros",
  credentials: "v1:k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  hostKeyFingerprint: `SHA256:${"A".repeat(43)}`,
};
const tenantId = randomUUID();
const deviceId = randomUUID();
const now = new Date().toISOString();

const snapshot: SnapshotEvent = {
  msgId: "m-1",
  tenantId,
  deviceId,
  trigger: "manual",
  driver: "routeros",
  softwareVersion: "7.16.1",
  sha256: "a".repeat(64),
  bytes: 10,
  collectedAt: now,
  normalizationVersion: NORMALIZATION_VERSION,
  hostKeyFingerprint: device.hostKeyFingerprint!,
  content: { kind: "inline", sealedGzipBase64: "abc" },
};

function rejects(fn: () => unknown, pathFragment: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InvalidMessageError);
    assert.equal(err.code, "INVALID_MESSAGE");
    assert.match(err.message, new RegExp(pathFragment));
    return true;
  });
}

describe("contracts codecs", () => {
  it("round-trips every message type", () => {
    const request = { requestId: randomUUID(), tenantId, deviceId, device, requestedAt: now };
    assert.deepEqual(TriggerRequestCodec.decode(TriggerRequestCodec.encode(request)), request);
    const job = { jobId: "j1", tenantId, deviceId, device: { ...device, hostKeyFingerprint: null }, dueAt: now };
    assert.deepEqual(BackupJobCodec.decode(BackupJobCodec.encode(job)), job);
    assert.deepEqual(SnapshotEventCodec.decode(SnapshotEventCodec.encode(snapshot)), snapshot);
    const failed = {
      msgId: "f1",
      tenantId,
      deviceId,
      trigger: "scheduled" as const,
      code: "SSH_AUTH_FAILED" as const,
      message: "authentication failed",
      permanent: true,
      occurredAt: now,
    };
    assert.deepEqual(BackupFailedEventCodec.decode(BackupFailedEventCodec.encode(failed)), failed);
    for (const reply of [
      { kind: "locked", requestId: request.requestId, code: "DEVICE_LOCKED" },
      { kind: "failed", requestId: request.requestId, code: "SSH_TIMEOUT", message: "timed out" },
      {
        kind: "success",
        requestId: request.requestId,
        snapshotMsgId: "m-1",
        sha256: "b".repeat(64),
        bytes: 1,
        collectedAt: now,
        hostKeyFingerprint: snapshot.hostKeyFingerprint,
        timings: { lockMs: 1, connectMs: 2, exportMs: 3, publishMs: 4, totalMs: 10 },
      },
    ] as const) {
      assert.deepEqual(TriggerReplyCodec.decode(TriggerReplyCodec.encode(reply)), reply);
    }
  });

  it("rejects missing, extra and wrong-typed fields, naming the path but not the value", () => {
    const { sha256: _omit, ...missing } = snapshot;
    rejects(() => SnapshotEventCodec.parse(missing), "sha256");
    rejects(() => SnapshotEventCodec.parse({ ...snapshot, password: "hunter2" }), "password");
    rejects(() => SnapshotEventCodec.parse({ ...snapshot, bytes: "10" }), "bytes");
    rejects(() => SnapshotEventCodec.parse({ ...snapshot, content: { kind: "carrier-pigeon" } }), "content");
    rejects(
      () => TriggerReplyCodec.parse({ kind: "failed", requestId: randomUUID(), code: "NOPE", message: "" }),
      "code",
    );
    try {
      SnapshotEventCodec.parse({ ...snapshot, msgId: 42, secret: "hunter2" });
      assert.fail("expected rejection");
    } catch (err) {
      assert.doesNotMatch(String(err), /hunter2/);
    }
  });

  it("rejects bytes that are not UTF-8 JSON", () => {
    rejects(() => BackupJobCodec.decode(new Uint8Array([0xff, 0xfe, 0x00])), "JSON");
    rejects(() => BackupJobCodec.decode("{not json"), "JSON");
  });
});

describe("wire", () => {
  it("keeps namespaces apart and refuses unsafe tokens", () => {
    const a = createWire("alpha");
    const b = createWire("beta");
    assert.notEqual(a.streams.snapshots.name, b.streams.snapshots.name);
    assert.equal(a.subjects.snapshot("t1", "d1"), "alpha.snapshots.t1.d1");
    assert.throws(() => a.subjects.snapshot("t.*", "d1"));
    assert.throws(() => createWire("Bad Namespace"));
    assert.equal(a.streams.jobs.retention, "workqueue");
    assert.deepEqual(a.streams.snapshots.subjects, [a.subjects.snapshotsAll]);
  });
});
