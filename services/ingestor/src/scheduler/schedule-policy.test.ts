import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DEFAULT_SCHEDULE_POLICY,
  type DeviceScheduleState,
  decideSchedule,
  jitterFraction,
  nextSlotAfter,
  retryBackoffMs,
  scheduledJobId,
} from "./schedule-policy.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = new Date("2026-01-01T00:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const policy = DEFAULT_SCHEDULE_POLICY;

function device(overrides: Partial<DeviceScheduleState> = {}): DeviceScheduleState {
  return {
    deviceId: "7b0c7d1e-3c2a-4f2e-9a51-0d3c1f8e2a10",
    enabled: true,
    blockedReason: null,
    intervalSeconds: null,
    nextDueAt: T0,
    consecutiveFailures: 0,
    lastFailureAt: null,
    lastScheduledSlotAt: null,
    ...overrides,
  };
}

describe("skip rules", () => {
  test("a disabled device is skipped, even when due", () => {
    assert.deepEqual(decideSchedule(device({ enabled: false }), at(HOUR), policy), {
      kind: "skip",
      reason: "disabled",
    });
  });

  test("a blocked device is skipped, even with a retry pending", () => {
    const state = device({ blockedReason: "SSH_AUTH_FAILED", consecutiveFailures: 1, lastFailureAt: T0 });
    assert.deepEqual(decideSchedule(state, at(10 * HOUR), policy), { kind: "skip", reason: "blocked" });
  });

  test("a device whose slot has not started waits for it", () => {
    assert.deepEqual(decideSchedule(device({ nextDueAt: at(MIN) }), T0, policy), { kind: "wait", dueAt: at(MIN) });
  });
});

describe("regular slots", () => {
  test("a due device is enqueued for its slot; the next slot is one interval on, within the jitter", () => {
    const decision = decideSchedule(device(), at(1_000), policy);
    assert.equal(decision.kind, "enqueue");
    if (decision.kind !== "enqueue") return;
    assert.equal(decision.reason, "regular");
    assert.deepEqual(decision.slotAt, T0);
    const gap = decision.nextDueAt.getTime() - T0.getTime();
    assert.ok(Math.abs(gap - 6 * HOUR) <= 0.05 * 6 * HOUR, `gap ${gap}`);
  });

  test("the per-device interval overrides the default", () => {
    const decision = decideSchedule(device({ intervalSeconds: 600 }), T0, { ...policy, jitterPercent: 0 });
    assert.equal(decision.kind === "enqueue" && decision.nextDueAt.getTime(), at(10 * MIN).getTime());
  });

  test("slots missed while no scheduler ran are skipped, not caught up one by one", () => {
    const now = at(20 * HOUR);
    const next = nextSlotAfter("d", T0, now, 6 * HOUR, 0);
    assert.deepEqual(next, at(24 * HOUR));
  });

  test("the next slot is always after now, whatever the jitter", () => {
    for (let i = 0; i < 200; i++) {
      const now = at(i * 7 * MIN);
      const next = nextSlotAfter(`device-${i}`, T0, now, HOUR, 50);
      assert.ok(next.getTime() > now.getTime(), `${next.toISOString()} after ${now.toISOString()}`);
      assert.ok(next.getTime() - now.getTime() <= 1.25 * HOUR);
    }
  });

  test("jitter is stable per device and slot and spreads devices", () => {
    assert.equal(jitterFraction("a", 1), jitterFraction("a", 1));
    const fractions = Array.from({ length: 1000 }, (_, i) => jitterFraction(`device-${i}`, T0.getTime()));
    assert.ok(fractions.every((f) => f >= 0 && f < 1));
    const low = fractions.filter((f) => f < 0.5).length;
    assert.ok(low > 400 && low < 600, `spread: ${low} of 1000 below the middle`);
  });

  test("the job id names the device and the slot", () => {
    assert.equal(scheduledJobId("d-1", T0), `sched:d-1:${T0.getTime()}`);
  });
});

describe("back-off after transient failures", () => {
  test("5 min, 15 min, then every hour", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 10].map((n) => retryBackoffMs(n, policy)),
      [5 * MIN, 15 * MIN, HOUR, HOUR, HOUR],
    );
  });

  test("a failed device is retried after its back-off, before its next regular slot", () => {
    const state = device({ nextDueAt: at(6 * HOUR), consecutiveFailures: 1, lastFailureAt: at(MIN) });
    assert.deepEqual(decideSchedule(state, at(5 * MIN), policy), { kind: "wait", dueAt: at(6 * MIN) });
    assert.deepEqual(decideSchedule(state, at(6 * MIN), policy), {
      kind: "enqueue",
      reason: "retry",
      slotAt: at(6 * MIN),
      nextDueAt: at(6 * HOUR),
    });
  });

  test("the back-off grows with consecutive failures", () => {
    const second = device({ nextDueAt: at(6 * HOUR), consecutiveFailures: 2, lastFailureAt: at(10 * MIN) });
    assert.deepEqual(decideSchedule(second, at(10 * MIN), policy), { kind: "wait", dueAt: at(25 * MIN) });
    const fourth = device({ nextDueAt: at(6 * HOUR), consecutiveFailures: 4, lastFailureAt: at(2 * HOUR) });
    assert.deepEqual(decideSchedule(fourth, at(2 * HOUR), policy), { kind: "wait", dueAt: at(3 * HOUR) });
  });

  test("a retry already enqueued is not enqueued again", () => {
    const state = device({
      nextDueAt: at(6 * HOUR),
      consecutiveFailures: 1,
      lastFailureAt: at(MIN),
      lastScheduledSlotAt: at(6 * MIN),
    });
    assert.deepEqual(decideSchedule(state, at(30 * MIN), policy), { kind: "wait", dueAt: at(6 * HOUR) });
  });

  test("a regular slot that comes before the back-off ends wins", () => {
    const state = device({
      intervalSeconds: 30,
      nextDueAt: at(30_000),
      consecutiveFailures: 3,
      lastFailureAt: at(1_000),
    });
    const decision = decideSchedule(state, at(30_000), policy);
    assert.equal(decision.kind === "enqueue" && decision.reason, "regular");
  });

  test("no back-off steps means no early retries", () => {
    const state = device({ nextDueAt: at(HOUR), consecutiveFailures: 1, lastFailureAt: T0 });
    assert.deepEqual(decideSchedule(state, at(30 * MIN), { ...policy, retryBackoffMs: [] }), {
      kind: "wait",
      dueAt: at(HOUR),
    });
  });
});
