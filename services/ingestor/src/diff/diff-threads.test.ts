import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { diffConfigTexts } from "@netledger/db";
import { capturingLogger } from "../../test/harness.js";
import { syntheticConfig } from "../../test/messages.js";
import { createConfigDiffer } from "./diff-threads.js";

const before = syntheticConfig({ bytes: 6_000, variant: 1 });
const after = syntheticConfig({ bytes: 6_000, variant: 2, password: "changed-pass" });
const versions = { before: 1, after: 1 };

describe("config differ", { timeout: 60_000 }, () => {
  it("gives, on worker threads, exactly the diffs of diffConfigTexts, and after close in the caller's thread", async () => {
    const { logger, lines } = capturingLogger();
    const differ = createConfigDiffer(2, logger);
    await differ.ready();
    const expected = diffConfigTexts("routeros", before, after, versions);
    assert.ok(expected.changes.length > 0);
    const diffs = await Promise.all(Array.from({ length: 4 }, () => differ.diff("routeros", before, after, versions)));
    for (const diff of diffs) assert.deepEqual(diff, expected);
    assert.deepEqual(
      lines.filter((line) => line.includes("diff thread")),
      [],
      "the threads ran the diffs",
    );
    await differ.close();
    assert.deepEqual(await differ.diff("routeros", before, after, versions), expected);
  });

  it("with no threads diffs in the caller's thread", async () => {
    const { logger } = capturingLogger();
    const differ = createConfigDiffer(0, logger);
    assert.deepEqual(
      await differ.diff("routeros", before, after, versions),
      diffConfigTexts("routeros", before, after, versions),
    );
    await differ.close();
  });
});
