import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadFixtures } from "@netledger/device-sim";
import { getDriver } from "@netledger/drivers";
import { realRouterOsExports } from "@netledger/testkit";
import { type CutTally, sweepTruncation } from "./truncation-sweep.js";

const driver = getDriver("routeros");
const REAL_EXPORTS = realRouterOsExports();
const exports =
  REAL_EXPORTS.dir === null
    ? []
    : (await loadFixtures(REAL_EXPORTS.dir, Number.MAX_SAFE_INTEGER)).map((f) => Buffer.from(f.text));
const CUTS = 15;

function refusedOrHealed(t: CutTally): number {
  return (t.refused + t.healed) / t.cuts;
}

describe("truncation with exit status 0, sampled over every fixture export", { skip: REAL_EXPORTS.skip }, () => {
  it("refuses or heals at least 99 % of byte and line cuts and never refuses a whole export", async (t) => {
    const figures = await sweepTruncation(exports, {
      driver,
      byteCuts: CUTS,
      lineCuts: CUTS,
      model: "transient",
      previousKnown: true,
    });
    t.diagnostic(JSON.stringify(figures));
    assert.equal(figures.exports, exports.length);
    assert.ok(exports.length >= 20, "every fixture swept");
    assert.equal(figures.wholeRefused, 0);
    assert.ok(figures.byte.cuts >= exports.length * CUTS * 0.9 && figures.line.cuts >= exports.length * 5);
    assert.ok(refusedOrHealed(figures.byte) >= 0.99, `byte cuts: ${JSON.stringify(figures.byte)}`);
    assert.ok(refusedOrHealed(figures.line) >= 0.99, `line cuts: ${JSON.stringify(figures.line)}`);
  });

  it("refuses nearly every cut when every read stops at its own point", async (t) => {
    const figures = await sweepTruncation(exports, {
      driver,
      byteCuts: 5,
      lineCuts: 5,
      model: "independent",
      previousKnown: true,
    });
    t.diagnostic(JSON.stringify(figures));
    assert.equal(figures.wholeRefused, 0);
    assert.equal(figures.byte.accepted, 0, JSON.stringify(figures.byte));
    // Only two reads cut at the very same line of a short export can agree.
    assert.ok(refusedOrHealed(figures.line) >= 0.98, JSON.stringify(figures.line));
  });

  it("reads a small export once when its previous size is unknown and it is whole", async () => {
    const figures = await sweepTruncation(exports, {
      driver,
      byteCuts: 0,
      lineCuts: 0,
      model: "transient",
      previousKnown: false,
    });
    assert.equal(figures.wholeRefused, 0);
  });
});
