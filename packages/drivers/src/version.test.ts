import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isReleaseBelow, releaseNumbers } from "./version.js";

describe("software versions", () => {
  it("reads release numbers, ignoring pre-release tags and trailing words", () => {
    assert.deepEqual(releaseNumbers("6.49.10"), [6, 49, 10]);
    assert.deepEqual(releaseNumbers("6.45beta27"), [6, 45]);
    assert.deepEqual(releaseNumbers("7.16.1 (stable)"), [7, 16, 1]);
    assert.deepEqual(releaseNumbers("v7"), [7]);
    assert.equal(releaseNumbers("stable"), null);
  });

  it("compares releases number by number, a missing number counting as 0", () => {
    assert.equal(isReleaseBelow([6, 49, 10], [7]), true);
    assert.equal(isReleaseBelow([7], [7]), false);
    assert.equal(isReleaseBelow([7, 0], [7]), false);
    assert.equal(isReleaseBelow([6, 9], [6, 10]), true);
    assert.equal(isReleaseBelow([10], [7]), false);
  });
});
