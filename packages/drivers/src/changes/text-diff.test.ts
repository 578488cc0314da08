import assert from "node:assert/strict";
import { describe, it } from "node:test";
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
