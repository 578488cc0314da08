import assert from "node:assert/strict";
import { test } from "node:test";
import { formatLogLine, servicePrefix } from "./log.js";

const prefix = servicePrefix("collector-1", 11);

test("a pino line becomes level, message and the remaining fields, ids and hashes shortened", () => {
  const line = JSON.stringify({
    level: "info",
    time: "2026-11-30T12:00:00.000Z",
    pid: 42,
    hostname: "box",
    name: "collector",
    deviceId: "55721ac7-00b1-4726-bb90-23794e412395",
    timings: { lockMs: 12.113365, totalMs: 146 },
    sha256: "2d79884d5f90e224526d1b9669e0db11487dc7f8db66f74f6d52373e682bf5df",
    reason: "SSH authentication failed",
    msg: "backup done",
  });
  assert.equal(
    formatLogLine(prefix, line),
    '[collector-1] info  backup done deviceId=55721ac7 timings={"lockMs":12.1,"totalMs":146} sha256=2d79884d5f90 reason="SSH authentication failed"',
  );
});

test("errors show type, message, code and cause, without the stack", () => {
  const line = JSON.stringify({
    level: "error",
    msg: "shutdown step failed",
    err: {
      type: "ShutdownTimeoutError",
      message: "drain NATS took too long",
      code: "SHUTDOWN_TIMEOUT",
      stack: "at x",
      cause: { message: "timeout" },
    },
  });
  assert.equal(
    formatLogLine(prefix, line),
    '[collector-1] error shutdown step failed err="ShutdownTimeoutError: drain NATS took too long [SHUTDOWN_TIMEOUT] (cause: timeout)"',
  );
});

test("anything that is not a pino object passes through behind the prefix", () => {
  assert.equal(formatLogLine(prefix, "node:internal/process: boom"), "[collector-1] node:internal/process: boom");
  assert.equal(formatLogLine(prefix, "[1,2]"), "[collector-1] [1,2]");
  assert.equal(formatLogLine(servicePrefix("gateway", 11), "x"), "[gateway]     x");
});
