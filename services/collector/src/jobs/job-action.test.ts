import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BackupOutcome } from "../backup/backup-types.js";
import { decideJobAction } from "./job-action.js";

const timings = { lockMs: 0, connectMs: 0, exportMs: 0, publishMs: 0, totalMs: 0 };
const retry = { baseMs: 1_000, maxMs: 10_000 };
const failed = (permanent: boolean): BackupOutcome => ({
  kind: "failed",
  code: permanent ? "SSH_AUTH_FAILED" : "SSH_TIMEOUT",
  message: "x",
  permanent,
  timings,
});

describe("decideJobAction", () => {
  it("acks success and locked, terms permanent failures", () => {
    const success: BackupOutcome = {
      kind: "success",
      snapshotMsgId: "job:1",
      sha256: "a".repeat(64),
      bytes: 1,
      collectedAt: new Date().toISOString(),
      hostKeyFingerprint: `SHA256:${"A".repeat(43)}`,
      softwareVersion: null,
      duplicate: false,
      timings,
    };
    const first = { deliveryCount: 1, maxDeliver: 5 };
    assert.deepEqual(decideJobAction(success, first, retry), { kind: "ack", reason: "success" });
    assert.deepEqual(decideJobAction({ kind: "locked", timings }, first, retry), { kind: "ack", reason: "locked" });
    assert.deepEqual(decideJobAction(failed(true), first, retry), { kind: "term", reason: "permanent" });
  });

  it("naks transient failures with growing, capped back-off, then dead-letters the last delivery", () => {
    const delays = [1, 2, 3, 4, 5, 6].map((n) =>
      decideJobAction(failed(false), { deliveryCount: n, maxDeliver: 7 }, retry),
    );
    assert.deepEqual(
      delays.map((a) => (a.kind === "nak" ? a.delayMs : a.kind)),
      [1_000, 2_000, 4_000, 8_000, 10_000, 10_000],
    );
    const last = decideJobAction(failed(false), { deliveryCount: 7, maxDeliver: 7 }, retry);
    assert.equal(last.kind, "dead-letter");
    assert.equal(decideJobAction(failed(false), { deliveryCount: 99, maxDeliver: -1 }, retry).kind, "nak");
  });
});
