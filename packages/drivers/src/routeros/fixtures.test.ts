import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CompletenessResult } from "../driver.js";
import { continues, endsInsideString } from "../export/continuations.js";
import { sha256Hex } from "../export/hash.js";
import { logicalLines } from "../export/lines.js";
import { ROUTEROS_FORMAT } from "./format.js";
import { routerOsDriver } from "./index.js";
import { loadRouterOsFixtures, REAL_EXPORTS } from "./test-fixtures.js";

const limits = { maxBytes: 16 * 1024 * 1024 };
const check = (stdout: Buffer): CompletenessResult => routerOsDriver.check({ stdout, stderr: "", exitCode: 0 }, limits);
const HEADER_TIME = /^# \S+ \S+ by RouterOS /;
const rule = ROUTEROS_FORMAT.continuation!;
const quote = ROUTEROS_FORMAT.stringLiteral!;

/** About 80 cut points spread over the file: arbitrary bytes, and both sides of line ends. */
function cutPoints(bytes: Buffer): number[] {
  const points = new Set<number>();
  for (let i = 1; i < 40; i++) points.add(Math.floor((bytes.length * i) / 40));
  const lineEnds: number[] = [];
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) lineEnds.push(at);
  const step = Math.max(1, Math.floor(lineEnds.length / 20));
  for (let i = 0; i < lineEnds.length; i += step) points.add(lineEnds[i]!).add(lineEnds[i]! + 1);
  return [...points].filter((p) => p > 0 && p < bytes.length);
}

describe("RouterOS driver on every fixture export", { skip: REAL_EXPORTS.skip }, () => {
  for (const fixture of loadRouterOsFixtures()) {
    describe(fixture.name, () => {
      const result = check(fixture.bytes);
      const text = result.ok ? result.text : "";

      it("passes the completeness check", () => {
        assert.equal(result.ok, true, result.ok ? "" : `${result.code}: ${result.reason}`);
        assert.equal(text, fixture.bytes.toString("utf8"));
      });

      it("detects the version in the file name, before and after normalization", () => {
        assert.equal(routerOsDriver.softwareVersion(text), fixture.version);
        assert.equal(routerOsDriver.softwareVersion(routerOsDriver.normalize(text)), fixture.version);
        assert.match(routerOsDriver.normalize(text).split("\n")[0]!, new RegExp(`^# by RouterOS ${fixture.version}$`));
      });

      it("normalizes idempotently, alike for CRLF and LF", () => {
        const once = routerOsDriver.normalize(text);
        assert.equal(routerOsDriver.normalize(once), once);
        assert.equal(routerOsDriver.normalize(text.replaceAll("\r\n", "\n")), once);
        assert.equal(routerOsDriver.normalize(text.replaceAll(/\r?\n/g, "\r\n")), once);
      });

      it("hashes the same with other header times, in v6 and v7 form", () => {
        const lines = text.split("\n");
        assert.match(lines[0]!, HEADER_TIME);
        const withTime = (time: string) =>
          [lines[0]!.replace(HEADER_TIME, `# ${time} by RouterOS `), ...lines.slice(1)].join("\n");
        const v6 = sha256Hex(routerOsDriver.normalize(withTime("jan/02/1970 01:05:15")));
        const v7 = sha256Hex(routerOsDriver.normalize(withTime("2031-12-31 23:59:59")));
        assert.equal(v6, v7);
        assert.equal(v6, sha256Hex(routerOsDriver.normalize(text)));
      });

      it("calls the export truncated when it stops in the middle of a continued line", (t) => {
        const lines = text.split("\n");
        const continued = lines.map((l, i) => [l, i] as const).filter(([l]) => continues(l.trimEnd(), rule));
        if (continued.length === 0) return t.skip("this export has no continued line");
        for (const [, index] of [continued[0]!, continued[Math.floor(continued.length / 2)]!, continued.at(-1)!]) {
          const cut = `${lines.slice(0, index + 1).join("\n")}\n`;
          const outcome = check(Buffer.from(cut));
          assert.equal(outcome.ok ? "ok" : outcome.code, "EXPORT_TRUNCATED", `cut after line ${index + 1}`);
        }
      });

      it("never accepts bytes cut mid-way that end in a dangling continuation or inside a quoted value", () => {
        for (const at of cutPoints(fixture.bytes)) {
          const cut = fixture.bytes.subarray(0, at);
          const tail = cut.toString("utf8").trimEnd().split(/\r?\n/).at(-1) ?? "";
          const dangling = continues(tail, rule);
          const outcome = check(cut);
          if (dangling) assert.equal(outcome.ok ? "ok" : outcome.code, "EXPORT_TRUNCATED", `cut at byte ${at}`);
          const lastLogical = logicalLines(cut.toString("utf8"), ROUTEROS_FORMAT).at(-1) ?? "";
          if (endsInsideString(lastLogical, quote)) assert.equal(outcome.ok, false, `cut at byte ${at}`);
        }
      });

      it("changes the hash when one wrapped line changes", (t) => {
        const lines = text.split("\n");
        const index = lines.findIndex(
          (l, i) => i > 0 && continues(lines[i - 1]!.trimEnd(), rule) && /[a-z0-9]/i.test(l),
        );
        if (index === -1) return t.skip("this export has no continued line");
        const changed = [...lines];
        changed[index] = changed[index]!.replace(/[a-z0-9]/i, (c) => (c === "7" ? "8" : "7"));
        assert.notEqual(
          sha256Hex(routerOsDriver.normalize(changed.join("\n"))),
          sha256Hex(routerOsDriver.normalize(text)),
        );
      });
    });
  }
});
