import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { continues, endsInsideString, joinContinuations } from "./continuations.js";

const rule = { marker: "\\", indent: "    " };
const strings = { quote: '"', escape: "\\" };

describe("continuations", () => {
  it("continues only on an odd run of markers", () => {
    assert.equal(continues("add a=1 \\", rule), true);
    assert.equal(continues('comment="x\\\\', rule), false);
    assert.equal(continues('comment="x\\\\\\', rule), true);
    assert.equal(continues("add a=1", rule), false);
  });

  it("removes exactly the marker, the line end and the indent", () => {
    assert.deepEqual(joinContinuations(["add a=1 \\", "    b=2", "set c=3"], rule), ["add a=1 b=2", "set c=3"]);
    assert.deepEqual(joinContinuations(['add s="x\\r\\', "    \\n  y\\", '     z"'], rule), ['add s="x\\r\\n  y z"']);
    assert.deepEqual(joinContinuations(["add a=1 \\", "b=2"], rule), ["add a=1 b=2"]);
  });

  it("leaves a continuation on the last line dangling and trims a blank continuation", () => {
    assert.deepEqual(joinContinuations(["add a=1", "add b=2 \\"], rule), ["add a=1", "add b=2 \\"]);
    assert.deepEqual(joinContinuations(["add a=1 \\", "", "set c=3"], rule), ["add a=1", "set c=3"]);
  });

  it("tells whether a line ends inside a string literal", () => {
    assert.equal(endsInsideString('add comment="abc', strings), true);
    assert.equal(endsInsideString('add comment="a\\"b"', strings), false);
    assert.equal(endsInsideString('add comment="a\\\\"', strings), false);
    assert.equal(endsInsideString('add comment="a\\"', strings), true);
  });
});
