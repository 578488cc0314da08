import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { CommandOutput } from "../driver.js";
import { eachLine, longestLine, splitLines } from "../export/lines.js";
import { anyOf } from "../export/patterns.js";
import { checkThenNormalize, comparableCheck, headerTime, renderExport, syntheticConfig } from "./export-arbitrary.js";
import { routerOsDriver } from "./index.js";
import { loadRouterOsFixtures, REAL_EXPORTS } from "./test-fixtures.js";

const limits = { maxBytes: 1_000_000 };

const threeSteps = (output: CommandOutput) => checkThenNormalize(output, limits);

const onePass = (output: CommandOutput) => comparableCheck(routerOsDriver.checkAndNormalize(output, limits));

const output = (stdout: string | Buffer, exitCode: number | null = 0): CommandOutput => ({
  stdout: typeof stdout === "string" ? Buffer.from(stdout, "utf8") : stdout,
  stderr: "",
  exitCode,
});

describe("checkAndNormalize: check, normalize, sha256 and version in one pass", () => {
  it("equals the three steps on generated exports, whole or cut at any byte, any line ends", () => {
    fc.assert(
      fc.property(
        syntheticConfig,
        headerTime,
        fc.constantFrom(0, 40, 80),
        fc.constantFrom<"\n" | "\r\n">("\n", "\r\n"),
        fc.option(fc.nat(), { nil: undefined }),
        fc.constantFrom(0, null),
        (config, time, width, eol, cut, exitCode) => {
          const bytes = Buffer.from(`note before the export\r\n${renderExport(config, { time, width, eol })}`);
          const stdout = cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
          assert.deepEqual(onePass(output(stdout, exitCode)), threeSteps(output(stdout, exitCode)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("equals the three steps on every kind of refused output", () => {
    const good = "# 2026-11-30 12:00:00 by RouterOS 7.16.1\r\n/ip dns\r\nset servers=192.0.2.1\r\n";
    for (const stdout of [
      good,
      "",
      "   \r\n",
      good.slice(0, -2),
      `${good}add comment="open\r\n`,
      `${good}add a=1 \\\r\n`,
      "failure: not allowed\r\n",
      `${good}\u0000`,
      Buffer.concat([Buffer.from(good), Buffer.from([0xe2, 0x82])]),
      Buffer.from([0xff, 0xfe, 0x41]),
      "/ip dns\r\nset a=1\r\n",
    ]) {
      for (const exitCode of [0, 1, null]) {
        assert.deepEqual(onePass(output(stdout, exitCode)), threeSteps(output(stdout, exitCode)));
      }
    }
    assert.deepEqual(
      onePass(output("x".repeat(limits.maxBytes + 1))),
      threeSteps(output("x".repeat(limits.maxBytes + 1))),
    );
  });

  it("hands a large export on in several chunks that join to the normalized text", () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `add name=item${i} comment="é ${i}"`);
    const text = `# 2026-11-30 12:00:00 by RouterOS 7.16.1\r\n/interface list\r\n${lines.join("\r\n")}\r\n`;
    const result = routerOsDriver.checkAndNormalize(output(text), limits);
    assert.ok(result.ok);
    assert.ok(result.normalized.chunks.length > 1);
    assert.deepEqual(onePass(output(text)), threeSteps(output(text)));
  });

  it("equals the three steps on every real export", { skip: REAL_EXPORTS.skip }, () => {
    for (const fixture of loadRouterOsFixtures()) {
      assert.deepEqual(onePass(output(fixture.bytes)), threeSteps(output(fixture.bytes)), fixture.name);
    }
  });
});

describe("line scanning", () => {
  const texty = fc
    .array(fc.constantFrom("a", "bc", " ", "\r", "\n", "\r\n", "\\", "é"), { maxLength: 40 })
    .map((parts) => parts.join(""));

  it("eachLine gives splitLines' lines, also up to an end that is not inside a CRLF", () => {
    fc.assert(
      fc.property(texty, fc.nat(), (text, at) => {
        assert.deepEqual([...eachLine(text)], splitLines(text));
        let end = at % (text.length + 1);
        if (end > 0 && text[end - 1] === "\r" && text[end] === "\n") end--;
        assert.deepEqual([...eachLine(text, end)], splitLines(text.slice(0, end)));
      }),
      { numRuns: 2000 },
    );
  });

  it("longestLine is the length of the longest of splitLines' lines", () => {
    fc.assert(
      fc.property(texty, (text) => {
        assert.equal(longestLine(text), Math.max(...splitLines(text).map((l) => l.length)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("anyOf", () => {
  it("answers as patterns.some(p => p.test(text)), combined or not", () => {
    const sets: RegExp[][] = [
      [/^bad command\b/, /^failure:/, /\(line \d+ column \d+\)$/],
      [/^a/i, /^b/],
      [/(x)\1/, /^y/],
      [/(?<n>z)\k<n>/, /(?<=q)r/],
      [/^only$/],
      [],
    ];
    for (const patterns of sets) {
      const test = anyOf(patterns);
      for (const text of [
        "bad command name x",
        "failure: no",
        "x (line 1 column 9)",
        "A",
        "b",
        "xx",
        "y",
        "zz",
        "qr",
        "only",
        "",
        "none",
      ]) {
        assert.equal(
          test(text),
          patterns.some((p) => p.test(text)),
          `${patterns.join(" ")} on ${text}`,
        );
      }
    }
  });
});
