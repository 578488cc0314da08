import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyPatch, formatPatch, structuredPatch } from "diff";
import fc from "fast-check";
import { routerOsDriver } from "../routeros/index.js";
import { loadRouterOsFixtures, REAL_EXPORTS } from "../routeros/test-fixtures.js";
import { textDiff } from "./text-diff.js";

describe("textDiff", () => {
  it("is empty for equal texts", () => {
    assert.deepEqual(textDiff("a\nb\n", "a\nb\n"), { unified: "", added: 0, removed: 0 });
  });

  it("gives unified hunks and line counts", () => {
    const before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
    const after = "1\n2\n3\n4\nfive\n6\n7\n8\n9\nten\n";
    const diff = textDiff(before, after);
    assert.equal(diff.added, 2);
    assert.equal(diff.removed, 1);
    assert.equal(diff.unified, "@@ -2,8 +2,9 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n 9\n+ten\n");
  });

  it("counts a text from nothing", () => {
    assert.deepEqual(textDiff("", "a\nb\n"), { unified: "@@ -0,0 +1,2 @@\n+a\n+b\n", added: 2, removed: 0 });
  });
});

describe("textDiff as a patch", () => {
  const lines = fc.array(fc.constantFrom("a", "b", "c", "d", "add x=1", "set y=2", ""), { maxLength: 40 });
  const text = fc.tuple(lines, fc.boolean()).map(([l, eol]) => l.join("\n") + (eol && l.length > 0 ? "\n" : ""));

  it("applies with jsdiff and counts the lines it adds and removes", () => {
    fc.assert(
      fc.property(text, text, (before, after) => {
        const diff = textDiff(before, after);
        assert.equal(applyPatch(before, diff.unified || "@@ -0,0 +0,0 @@\n"), after);
        const body = diff.unified.split("\n");
        assert.equal(diff.added, body.filter((l) => l.startsWith("+")).length);
        assert.equal(diff.removed, body.filter((l) => l.startsWith("-")).length);
      }),
      { numRuns: 500 },
    );
  });

  it("matches jsdiff's own patch on small edits of a fixture", { skip: REAL_EXPORTS.skip }, () => {
    const fixture = loadRouterOsFixtures().find((f) => f.bytes.length > 100_000)!;
    const before = routerOsDriver.redact(routerOsDriver.normalize(fixture.bytes.toString("utf8")));
    const lines = before.split("\n");
    const after = lines
      .map((l, i) => (i % 97 === 5 ? `${l} x=1` : l))
      .filter((_, i) => i % 131 !== 7)
      .join("\n");
    const ours = textDiff(before, after);
    const theirs = formatPatch(structuredPatch("a", "b", before, after, undefined, undefined, { context: 3 }), {
      includeIndex: false,
      includeUnderline: false,
      includeFileHeaders: false,
    });
    assert.equal(ours.unified, theirs);
    assert.equal(applyPatch(before, ours.unified), after);
  });
});
