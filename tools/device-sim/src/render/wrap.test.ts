import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { realRouterOsExports } from "@netledger/testkit";
import fc from "fast-check";
import { unwrapLines, WRAP_WIDTH, wrapLine } from "./wrap.js";

const REAL_EXPORTS = realRouterOsExports();

/** Logical lines of a wrapped export with the physical lines RouterOS printed for each. */
function wrappedGroups(text: string): { logical: string; physical: string[] }[] {
  const groups: { logical: string; physical: string[] }[] = [];
  let pending: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    pending.push(line);
    if (line.endsWith("\\") && !line.startsWith("#")) continue;
    groups.push({ logical: unwrapLines(pending)[0]!, physical: pending });
    pending = [];
  }
  return groups;
}

describe("wrapLine", () => {
  it("reproduces RouterOS wrapping of every line in the real wrapped exports", { skip: REAL_EXPORTS.skip }, () => {
    // Files whose author hand-edited lines (unwrapped lines past the width) or terse ones say nothing about wrapping.
    const files = REAL_EXPORTS.names()
      .map((f) => readFileSync(join(REAL_EXPORTS.dir!, f), "utf8"))
      .filter((t) => t.includes("\\\n") || t.includes("\\\r\n"))
      .filter((t) => t.split(/\r?\n/).every((l) => l.length <= WRAP_WIDTH || l.startsWith("#")));
    assert.ok(files.length >= 8, `only ${files.length} wrapped fixture files`);
    let compared = 0;
    for (const text of files) {
      for (const { logical, physical } of wrappedGroups(text)) {
        assert.deepEqual(wrapLine(logical), physical);
        compared++;
      }
    }
    assert.ok(compared > 1500, `only ${compared} lines compared`);
  });

  it("keeps every physical line within the width and unwraps back to the original", () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}=("[a-z0-9 ,.]{0,90}"|[a-zA-Z0-9.,:/-]{1,100})$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 14 }), (words) => {
        const line = `add ${words.join(" ")}`;
        const physical = wrapLine(line);
        for (const p of physical) assert.ok(p.length <= WRAP_WIDTH, p);
        for (const p of physical.slice(1)) assert.ok(p.startsWith("    "), p);
        for (const p of physical.slice(0, -1)) assert.ok(p.endsWith("\\"), p);
        assert.deepEqual(unwrapLines(physical), [line]);
      }),
      { numRuns: 300 },
    );
  });
});
