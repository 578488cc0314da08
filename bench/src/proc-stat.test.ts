import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cpuMsOfStat, memoryOfStatus, readProcessUsage } from "./proc-stat.js";

describe("proc-stat", () => {
  it("reads utime + stime from a stat line whose comm holds spaces and parentheses", () => {
    const stat = "4242 (node (x) y) S 1 4242 4242 0 -1 4194560 9 0 0 0 150 25 0 0 20 0 11 0 100 1000 200";
    assert.equal(cpuMsOfStat(stat), 1750);
    assert.equal(cpuMsOfStat("garbage"), null);
    assert.equal(cpuMsOfStat("1 (x) S 1 2"), null);
  });

  it("reads VmRSS and VmHWM in bytes", () => {
    const status = "Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n";
    assert.deepEqual(memoryOfStatus(status), { rssBytes: 100 * 1024 * 1024, peakRssBytes: 200 * 1024 * 1024 });
    assert.equal(memoryOfStatus("Name:\tkthreadd\n"), null);
  });

  it("reads this process, and null for a pid that does not exist", { skip: process.platform !== "linux" }, async () => {
    const usage = await readProcessUsage(process.pid);
    assert.ok(usage && usage.cpuMs >= 0 && usage.rssBytes > 0 && usage.peakRssBytes >= usage.rssBytes);
    assert.equal(await readProcessUsage(2 ** 22 + 1), null);
  });
});
