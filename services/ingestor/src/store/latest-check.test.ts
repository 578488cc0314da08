import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { recheckJobId } from "./latest-check.js";

describe("recheckJobId", () => {
  it("derives one id per held-back message, short enough for the collector's message ids", () => {
    assert.equal(recheckJobId("job:sched:d1:1700000000000"), "recheck:job:sched:d1:1700000000000");
    assert.equal(recheckJobId("trigger:r1"), recheckJobId("trigger:r1"));
    const long = recheckJobId(`job:${"x".repeat(196)}`);
    assert.equal(long, recheckJobId(`job:${"x".repeat(196)}`));
    assert.ok(`job-failed:${long}:5`.length <= 200 && `job:${long}`.length <= 200);
    let chained = "job:sched:d1:1700000000000";
    for (let i = 0; i < 10; i++) chained = `job:${recheckJobId(chained)}`;
    assert.ok(chained.length <= 200, "a re-collection of a re-collection stays valid");
  });
});
