import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nodeMemoryOf, promValue } from "./prom-text.js";

const TEXT = [
  "# HELP nodejs_heap_size_total_bytes Process heap size from Node.js in bytes.",
  "# TYPE nodejs_heap_size_total_bytes gauge",
  'nodejs_heap_size_total_bytes{service="collector"} 52000000',
  'nodejs_heap_size_used_bytes{service="collector"} 31000000',
  'nodejs_heap_space_size_used_bytes{service="collector",space="new"} 1000',
  'nodejs_heap_space_size_used_bytes{service="collector",space="old"} 2500',
  "nodejs_external_memory_bytes 4.5e6",
  'process_resident_memory_bytes{service="collector"} 150000000 1733220000000',
].join("\n");

describe("promValue", () => {
  it("reads a gauge with or without labels, and a timestamp after the value", () => {
    assert.equal(promValue(TEXT, "nodejs_heap_size_total_bytes"), 52_000_000);
    assert.equal(promValue(TEXT, "nodejs_external_memory_bytes"), 4_500_000);
    assert.equal(promValue(TEXT, "process_resident_memory_bytes"), 150_000_000);
  });

  it("sums label sets, skips names that only start alike, null when absent", () => {
    assert.equal(promValue(TEXT, "nodejs_heap_space_size_used_bytes"), 3500);
    assert.equal(promValue(TEXT, "nodejs_heap_size"), null);
    assert.equal(promValue(TEXT, "nope"), null);
  });

  it("gives the memory breakdown", () => {
    assert.deepEqual(nodeMemoryOf(TEXT), {
      heapTotalBytes: 52_000_000,
      heapUsedBytes: 31_000_000,
      externalBytes: 4_500_000,
      rssBytes: 150_000_000,
    });
  });
});
