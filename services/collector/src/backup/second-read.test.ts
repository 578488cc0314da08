import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NormalizedExport } from "@netledger/drivers";
import { MAX_READS, needsSecondRead, settleReads } from "./second-read.js";

const read = (sha256: string, bytes: number, chunks = [Buffer.alloc(bytes)]): NormalizedExport => ({
  chunks,
  bytes,
  sha256,
});

describe("settleReads", () => {
  it("reads the second time for the digest only and returns the first read's chunks when they agree", async () => {
    const first = read("a", 10);
    const asked: boolean[] = [];
    const settled = await settleReads(first, async (keep) => {
      asked.push(keep);
      return read("a", 10, []);
    });
    assert.deepEqual(asked, [false]);
    assert.equal(settled, first);
  });

  it("keeps and returns a later read that agrees with the second", async () => {
    const third = read("b", 12);
    const answers = [read("b", 12, []), third];
    const asked: boolean[] = [];
    const settled = await settleReads(read("a", 10), async (keep) => {
      asked.push(keep);
      return answers.shift()!;
    });
    assert.deepEqual(asked, [false, true]);
    assert.equal(settled, third);
  });

  it("refuses an agreement when another read was longer, and reads that never agree", async () => {
    const longer = [read("b", 20, []), read("a", 10)];
    assert.equal(await settleReads(read("a", 10), async () => longer.shift()!), null);
    let reads = 1;
    assert.equal(
      await settleReads(read("a", 10), async () => {
        reads++;
        return null;
      }),
      null,
    );
    assert.equal(reads, MAX_READS);
  });
});

describe("needsSecondRead", () => {
  const limits = { secondReadMinBytes: 64 * 1024 };
  it("reads twice from the threshold up, below the previous version's size, and for a first version", () => {
    assert.equal(needsSecondRead(64 * 1024, undefined, limits), true, "at the threshold");
    assert.equal(needsSecondRead(64 * 1024 - 1, undefined, limits), false, "below it, previous size unknown");
    assert.equal(needsSecondRead(1_000, null, limits), true, "no stored version yet");
    assert.equal(needsSecondRead(1_000, 1_001, limits), true, "smaller than the latest version");
    assert.equal(needsSecondRead(1_000, 1_000, limits), false, "as large as the latest version");
  });
});
