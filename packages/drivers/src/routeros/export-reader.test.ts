import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { CommandOutput } from "../driver.js";
import { checkThenNormalize, comparableCheck, headerTime, renderExport, syntheticConfig } from "./export-arbitrary.js";
import { routerOsDriver } from "./index.js";
import { loadRouterOsFixtures, REAL_EXPORTS } from "./test-fixtures.js";

const limits = { maxBytes: 1_000_000 };

const wholeText = (output: CommandOutput) => checkThenNormalize(output, limits);

const comparable = comparableCheck;

/** The reader fed `stdout` cut at `cuts` (positions, any order, duplicates allowed). */
function chunked(output: CommandOutput, cuts: readonly number[]) {
  const reader = routerOsDriver.exportReader(limits);
  let start = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    if (cut <= start || cut >= output.stdout.length) continue;
    reader.push(output.stdout.subarray(start, cut));
    start = cut;
  }
  reader.push(output.stdout.subarray(start));
  return comparable(reader.end(output));
}

/**
 * Every position where a cut is awkward: inside a multi-byte character, between CR and LF,
 * right after a continuation marker or a CR, and before a line end.
 */
function awkwardCuts(bytes: Buffer): number[] {
  const cuts: number[] = [];
  for (let i = 1; i < bytes.length; i++) {
    const byte = bytes[i]!;
    const before = bytes[i - 1]!;
    if ((byte & 0xc0) === 0x80 || before === 0x5c || before === 0x0d || byte === 0x0d || byte === 0x0a) cuts.push(i);
  }
  return cuts;
}

const output = (stdout: string | Buffer, exitCode: number | null = 0): CommandOutput => ({
  stdout: typeof stdout === "string" ? Buffer.from(stdout, "utf8") : stdout,
  stderr: "",
  exitCode,
});

function assertSameEverywhere(out: CommandOutput, name = "") {
  const expected = wholeText(out);
  assert.deepEqual(comparable(routerOsDriver.checkAndNormalize(out, limits)), expected, name);
  assert.deepEqual(chunked(out, awkwardCuts(out.stdout)), expected, `${name}: cut at every awkward byte`);
  if (out.stdout.length <= 16_384) {
    const everyByte = Array.from({ length: out.stdout.length }, (_, i) => i);
    assert.deepEqual(chunked(out, everyByte), expected, `${name}: one byte at a time`);
  }
}

const prefix = fc.constantFrom("", "\uFEFF", "note before the export\r\n", "\uFEFF\r\n");
const oddText = fc.constantFrom("", "é", "€ x", "𝄞", "\u0000", "\u00a0 ", "\u2028", "\\", "\r", '"');

describe("ExportReader: checkAndNormalize fed chunk by chunk", () => {
  it("equals the whole-text check and normalization on generated exports, cut anywhere, read in any chunks", () => {
    fc.assert(
      fc.property(
        syntheticConfig,
        headerTime,
        fc.constantFrom(0, 40, 80),
        fc.constantFrom<"\n" | "\r\n">("\n", "\r\n"),
        prefix,
        oddText,
        fc.option(fc.nat(), { nil: undefined }),
        fc.constantFrom(0, null, 1),
        fc.array(fc.nat(), { maxLength: 30 }),
        (config, time, width, eol, before, odd, cut, exitCode, cuts) => {
          const rendered = renderExport(config, { time, width, eol });
          const at = Math.floor(rendered.length / 2);
          const bytes = Buffer.from(`${before}${rendered.slice(0, at)}${odd}${rendered.slice(at)}`);
          const stdout = cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
          const out = output(stdout, exitCode);
          const expected = wholeText(out);
          assert.deepEqual(
            chunked(
              out,
              cuts.map((c) => c % (stdout.length + 1)),
            ),
            expected,
          );
          assert.deepEqual(chunked(out, awkwardCuts(stdout)), expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("equals the whole-text check on every kind of refused output, one byte at a time", () => {
    const good = "# 2026-11-30 12:00:00 by RouterOS 7.16.1\r\n/ip dns\r\nset servers=192.0.2.1\r\n";
    for (const stdout of [
      good,
      `\uFEFF${good}`,
      "",
      "   \r\n",
      "\r",
      "\r\n\r\n",
      good.slice(0, -1),
      good.slice(0, -2),
      `${good}add comment="open\r\n`,
      `${good}add a=1 \\\r\n`,
      `${good}add a=1 \\\r\n\r\n  \r\n`,
      `${good}add a="x\\\\" \\\r\n    b=2\r\n`,
      "failure: not allowed\r\n",
      `${good}bad command name x\r\n`,
      `${good}\u0000`,
      `${good}\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b`,
      `${good}${"x".repeat(70_000)}\r\n`,
      Buffer.concat([Buffer.from(good), Buffer.from([0xe2, 0x82])]),
      Buffer.concat([Buffer.from(good), Buffer.from([0xe2, 0x41, 0x0a])]),
      Buffer.concat([Buffer.from(good), Buffer.from([0xf0, 0x9d, 0x84])]),
      Buffer.concat([Buffer.from([0xe2, 0x82]), Buffer.from(good)]),
      Buffer.concat([Buffer.from(good), Buffer.from([0xed, 0xa0, 0x80, 0x0a])]),
      Buffer.from([0xff, 0xfe, 0x41]),
      Buffer.from([0xc3]),
      "/ip dns\r\nset a=1\r\n",
    ]) {
      for (const exitCode of [0, 1, null]) assertSameEverywhere(output(stdout, exitCode));
      assertSameEverywhere({ stdout: Buffer.from(stdout), stderr: "failure: x\n", exitCode: 0 });
    }
  });

  it("stops at the byte limit with the whole-text refusal, however the chunks fall", () => {
    const big = output(`# by RouterOS 7.16.1\n/ip dns\n${"set a=1\n".repeat(limits.maxBytes / 8)}`);
    const expected = wholeText(big);
    assert.equal(expected.ok, false);
    assert.deepEqual(
      chunked(
        big,
        Array.from({ length: 100 }, (_, i) => i * 10_007),
      ),
      expected,
    );
  });

  it("keeps only the digest when asked: same sha256 and bytes, no chunks", () => {
    const text = `# 2026-11-30 12:00:00 by RouterOS 7.16.1\n/ip dns\n${"set a=é\n".repeat(20_000)}`;
    const reader = routerOsDriver.exportReader(limits, { keepNormalized: false });
    reader.push(Buffer.from(text));
    const digestOnly = reader.end({ stderr: "", exitCode: 0 });
    const whole = routerOsDriver.checkAndNormalize(output(text), limits);
    assert.ok(digestOnly.ok && whole.ok);
    assert.deepEqual(digestOnly.normalized.chunks, []);
    assert.equal(digestOnly.normalized.sha256, whole.normalized.sha256);
    assert.equal(digestOnly.normalized.bytes, whole.normalized.bytes);
  });

  it("hands each normalized chunk over as it is made when asked, keeping none: same bytes and sha256", () => {
    const text = `# 2026-11-30 12:00:00 by RouterOS 7.16.1\n/ip dns\n${"set a=é\n".repeat(40_000)}`;
    const handed: Buffer[] = [];
    const reader = routerOsDriver.exportReader(limits, { onNormalized: (chunk) => handed.push(Buffer.from(chunk)) });
    const bytes = Buffer.from(text);
    for (let start = 0; start < bytes.length; start += 4_099) reader.push(bytes.subarray(start, start + 4_099));
    const streamed = reader.end({ stderr: "", exitCode: 0 });
    const whole = routerOsDriver.checkAndNormalize(output(text), limits);
    assert.ok(streamed.ok && whole.ok);
    assert.deepEqual(streamed.normalized.chunks, []);
    assert.ok(handed.length > 1);
    assert.deepEqual(Buffer.concat(handed), Buffer.concat(whole.normalized.chunks));
    assert.equal(streamed.normalized.sha256, whole.normalized.sha256);
    assert.equal(streamed.normalized.bytes, whole.normalized.bytes);
  });

  it("equals the whole-text check on every real export, cut at every awkward byte", { skip: REAL_EXPORTS.skip }, () => {
    for (const fixture of loadRouterOsFixtures()) {
      assertSameEverywhere(output(fixture.bytes), fixture.name);
      const bom = Buffer.concat([Buffer.from("\uFEFF"), fixture.bytes]);
      assertSameEverywhere(output(bom), `${fixture.name} with a BOM`);
      const cut = fixture.bytes.subarray(0, Math.floor(fixture.bytes.length * 0.7));
      assertSameEverywhere(output(cut), `${fixture.name} cut`);
      assertSameEverywhere(output(fixture.bytes, null), `${fixture.name} without exit status`);
    }
  });
});
