import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffDelay } from "./backoff.js";

describe("backoffDelay", () => {
  it("doubles from the base and stops at the cap", () => {
    const options = { baseMs: 100, maxMs: 1_000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 100].map((attempt) => backoffDelay(attempt, options)),
      [100, 200, 400, 800, 1_000, 1_000],
    );
    assert.equal(backoffDelay(0, options), 100);
  });
});
