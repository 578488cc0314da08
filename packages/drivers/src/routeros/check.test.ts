import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { CommandOutput, CompletenessResult } from "../driver.js";
import { routerOsDriver } from "./index.js";

const EXPORT = [
  "# 2026-11-30 12:00:00 by RouterOS 7.16.1",
  "# software id = ABCD-1234",
  "/interface bridge",
  "add name=bridge1",
  "/ip address",
  'add address=192.0.2.1/24 comment="uplink \\',
  '    to core" interface=bridge1',
  "",
].join("\n");

const limits = { maxBytes: 1_000_000 };

function run(stdout: string | Buffer, exitCode: number | null = 0, stderr = ""): CompletenessResult {
  const output: CommandOutput = { stdout: typeof stdout === "string" ? Buffer.from(stdout) : stdout, stderr, exitCode };
  const result = routerOsDriver.check(output, limits);
  if (!result.ok) assertSafeReason(result.reason, typeof stdout === "string" ? stdout : stdout.toString("latin1"));
  return result;
}

/** Reasons go to users and logs: no line of what the device sent may appear in them. */
function assertSafeReason(reason: string, sent: string): void {
  for (const line of sent.split(/\r?\n/)) {
    const text = line.trim();
    if (text.length >= 6) assert.ok(!reason.includes(text), `reason quotes output: ${reason}`);
  }
}

function failure(result: CompletenessResult): string {
  assert.equal(result.ok, false);
  return result.ok ? "" : result.code;
}

describe("RouterOS check", () => {
  it("accepts a complete export and returns it decoded", () => {
    assert.deepEqual(run(EXPORT), { ok: true, text: EXPORT });
    assert.deepEqual(run(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(EXPORT)])), {
      ok: true,
      text: EXPORT,
    });
  });

  it("fails the command on a non-zero exit status", () => {
    assert.equal(failure(run(EXPORT, 1)), "COMMAND_FAILED");
    assert.equal(failure(run("", 255)), "COMMAND_FAILED");
  });

  it("treats a missing exit status as a truncated export when export text arrived, else a failed command", () => {
    assert.equal(failure(run(EXPORT, null)), "EXPORT_TRUNCATED");
    assert.equal(failure(run(EXPORT.slice(0, 60), null)), "EXPORT_TRUNCATED");
    assert.equal(failure(run("", null)), "COMMAND_FAILED");
    assert.equal(failure(run("garbage", null)), "COMMAND_FAILED");
  });

  it("rejects RouterOS error output in both forms, on stdout or stderr", () => {
    for (const error of [
      "expected end of command (line 1 column 9)",
      "bad command name show-sensitive (line 1 column 9)",
      "syntax error (line 1 column 3)",
      "failure: not allowed",
      "no such item (line 1 column 5)",
    ]) {
      assert.equal(failure(run(`${error}\r\n`)), "COMMAND_FAILED", error);
      assert.equal(failure(run("", 0, `${error}\n`)), "COMMAND_FAILED", error);
      assert.equal(failure(run(`${EXPORT}${error}\n`)), "COMMAND_FAILED", error);
    }
  });

  it("does not mistake error words inside config values for errors", () => {
    const text = `${EXPORT}/system script\nadd name=s source=":log info \\"failure: x\\"\\r\\\n    \\nsyntax error (line 1 column 2)"\n`;
    assert.equal(run(text).ok, true);
  });

  it("rejects output over the size limit, accepts it at the limit", () => {
    const bytes = Buffer.byteLength(EXPORT);
    const result = routerOsDriver.check(
      { stdout: Buffer.from(EXPORT), stderr: "", exitCode: 0 },
      { maxBytes: bytes - 1 },
    );
    assert.equal(failure(result), "EXPORT_TOO_LARGE");
    assert.equal(
      routerOsDriver.check({ stdout: Buffer.from(EXPORT), stderr: "", exitCode: null }, { maxBytes: 10 }).ok,
      false,
    );
    assert.equal(
      routerOsDriver.check({ stdout: Buffer.from(EXPORT), stderr: "", exitCode: 0 }, { maxBytes: bytes }).ok,
      true,
    );
  });

  it("calls an empty or blank export truncated", () => {
    assert.equal(failure(run("")), "EXPORT_TRUNCATED");
    assert.equal(failure(run(" \r\n\n")), "EXPORT_TRUNCATED");
  });

  it("rejects NUL and other control bytes, invalid UTF-8 and non-printable noise", () => {
    const withByte = (byte: number) =>
      Buffer.concat([Buffer.from(EXPORT.slice(0, 50)), Buffer.from([byte]), Buffer.from(EXPORT.slice(50))]);
    for (const byte of [0x00, 0x07, 0x1b, 0x7f])
      assert.equal(failure(run(withByte(byte))), "EXPORT_INVALID", `byte ${byte}`);
    for (const byte of [0xff, 0xc0, 0x80]) assert.equal(failure(run(withByte(byte))), "EXPORT_INVALID", `byte ${byte}`);
    assert.equal(failure(run(`${EXPORT}# \u0085\n`)), "EXPORT_INVALID");
    assert.equal(failure(run(`${EXPORT}# ${"\uE000".repeat(EXPORT.length)}\n`)), "EXPORT_INVALID");
    assert.equal(run(`${EXPORT}# caf\u00e9\ttab\n`).ok, true);
  });

  it("calls a multi-byte character cut at the very end truncated", () => {
    const euro = Buffer.from("\u20ac");
    assert.equal(failure(run(Buffer.concat([Buffer.from(`${EXPORT}# `), euro.subarray(0, 2)]))), "EXPORT_TRUNCATED");
  });

  it("never accepts random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.constantFrom(0, null), (bytes, exitCode) => {
        assert.equal(run(Buffer.from(bytes), exitCode).ok, false);
      }),
      { numRuns: 500 },
    );
  });

  it("requires the RouterOS header and at least one section", () => {
    assert.equal(failure(run(EXPORT.split("\n").slice(1).join("\n"))), "EXPORT_INVALID");
    assert.equal(failure(run("/ip address\nadd address=192.0.2.1/24 interface=ether1\n")), "EXPORT_INVALID");
    assert.equal(failure(run("hello world\n")), "EXPORT_INVALID");
    assert.equal(
      failure(run("# 2026-11-30 12:00:00 by RouterOS 7.16.1\n# software id = ABCD-1234\n")),
      "EXPORT_TRUNCATED",
    );
  });

  it("calls an export ending in a dangling continuation or an open quote truncated", () => {
    const lines = EXPORT.split("\n");
    const dangling = `${lines.slice(0, 6).join("\n")}\n`;
    assert.ok(dangling.trimEnd().endsWith("\\"));
    assert.equal(failure(run(dangling)), "EXPORT_TRUNCATED");
    assert.equal(failure(run(dangling.replaceAll("\n", "\r\n"))), "EXPORT_TRUNCATED");
    assert.equal(failure(run(`${dangling}   \n\n`)), "EXPORT_TRUNCATED");
    assert.equal(failure(run(`${lines.slice(0, 6).join("\n")}\n    to co`)), "EXPORT_TRUNCATED");
    assert.equal(failure(run(`${lines.slice(0, 5).join("\n")}\nadd comment="abc`)), "EXPORT_TRUNCATED");
    assert.equal(run(`${lines.slice(0, 5).join("\n")}\nadd comment="ends with escaped backslash \\\\"\n`).ok, true);
  });

  it("calls an export cut at a byte that leaves a complete-looking last line truncated (no final line end)", () => {
    const head = "# 2026-11-30 12:00:00 by RouterOS 7.16.1\n/ip address\n";
    assert.equal(failure(run(`${head}add address=192.0.2`)), "EXPORT_TRUNCATED");
    assert.equal(failure(run(`${head}add address=192.0.2.1/24 interface=ether1`)), "EXPORT_TRUNCATED");
    assert.equal(run(`${head}add address=192.0.2.1/24 interface=ether1\r\n`).ok, true);
    assert.equal(run(`${head}add address=192.0.2.1/24 interface=ether1\r`).ok, true);
  });

  it("rejects an over-long line as not an export", () => {
    assert.equal(failure(run(`${EXPORT}# ${"a".repeat(70_000)}\n`)), "EXPORT_INVALID");
  });
});
