import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BackupOutcome } from "../backup/backup-types.js";
import { decideBeforeRun, decideJobAction, MAX_DELIVERIES_PER_COPY } from "./job-action.js";

const timings = { lockMs: 0, connectMs: 0, exportMs: 0, publishMs: 0, totalMs: 0 };
const policy = { retry: { baseMs: 1_000, maxMs: 10_000 }, maxAttempts: 7, lockTtlMs: 30_000 };
const failed = (permanent: boolean, code = permanent ? "SSH_AUTH_FAILED" : "SSH_TIMEOUT"): BackupOutcome =>
  ({ kind: "failed", code, message: "x", permanent, timings }) as BackupOutcome;

describe("decideJobAction", () => {
  it("acks only a snapshot; a locked device, a lock outage and a shutdown put the job back unspent", () => {
    const success: BackupOutcome = {
      kind: "success",
      snapshotMsgId: "job:1",
      sha256: "a".repeat(64),
      bytes: 1,
      collectedAt: new Date().toISOString(),
      hostKeyFingerprint: `SHA256:${"A".repeat(43)}`,
      softwareVersion: null,
      duplicate: false,
      content: "inline",
      timings,
    };
    const last = { attempt: 7, deliveryCount: 40 };
    assert.deepEqual(decideJobAction(success, last, policy), { kind: "ack", reason: "success" });
    assert.deepEqual(decideJobAction({ kind: "locked", timings }, last, policy), {
      kind: "nak",
      delayMs: 30_000,
      reason: "locked",
    });
    assert.deepEqual(decideJobAction(failed(false, "LOCK_UNAVAILABLE"), last, policy), {
      kind: "nak",
      delayMs: 1_000,
      reason: "lock-outage",
    });
    assert.deepEqual(decideJobAction({ kind: "interrupted", timings }, last, policy), {
      kind: "nak",
      delayMs: 1_000,
      reason: "interrupted",
    });
    assert.deepEqual(decideJobAction(failed(true), last, policy), { kind: "term", reason: "permanent" });
  });

  it("retries transient failures as the next attempt with growing, capped back-off, then dead-letters", () => {
    const actions = [1, 2, 3, 4, 5, 6].map((attempt) =>
      decideJobAction(failed(false), { attempt, deliveryCount: 1 }, policy),
    );
    assert.deepEqual(
      actions.map((a) => (a.kind === "retry" ? [a.attempt, a.delayMs] : a.kind)),
      [
        [2, 1_000],
        [3, 2_000],
        [4, 4_000],
        [5, 8_000],
        [6, 10_000],
        [7, 10_000],
      ],
    );
    assert.equal(decideJobAction(failed(false), { attempt: 7, deliveryCount: 1 }, policy).kind, "dead-letter");
  });

  it("naks a copy back until its back-off ran out, and dead-letters a copy delivered without end", () => {
    assert.deepEqual(decideBeforeRun({ attempt: 2, deliveryCount: 1 }, 5_000, 4_000), {
      kind: "nak",
      delayMs: 1_000,
      reason: "not-due",
    });
    assert.equal(decideBeforeRun({ attempt: 2, deliveryCount: 2 }, 5_000, 5_000), null);
    assert.equal(decideBeforeRun({ attempt: 1, deliveryCount: 3 }, null, 0), null);
    assert.equal(
      decideBeforeRun({ attempt: 1, deliveryCount: MAX_DELIVERIES_PER_COPY + 1 }, null, 0)?.kind,
      "dead-letter",
    );
  });
});
