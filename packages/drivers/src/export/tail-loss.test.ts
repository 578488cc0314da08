import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lostTail } from "./tail-loss.js";

const previous = "# by RouterOS 7.16.1\n/ip dns\nset servers=192.0.2.53\n/system identity\nset name=edge\n";

describe("lostTail", () => {
  it("recognises a version that is the previous one without its last lines", () => {
    assert.equal(lostTail(previous, "# by RouterOS 7.16.1\n/ip dns\nset servers=192.0.2.53\n"), true);
    assert.equal(lostTail(previous, "# by RouterOS 7.16.1\n"), true);
  });

  it("does not flag equal, grown or changed versions", () => {
    assert.equal(lostTail(previous, previous), false);
    assert.equal(lostTail(previous, `${previous}/ip route\nadd gateway=192.0.2.1\n`), false);
    assert.equal(lostTail(previous, "# by RouterOS 7.16.1\n/ip dns\nset servers=192.0.2.54\n"), false);
    assert.equal(lostTail(previous, ""), false);
  });
});
