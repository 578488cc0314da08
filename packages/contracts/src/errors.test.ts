import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isPermanentError } from "./errors.js";

describe("isPermanentError", () => {
  it("does not retry an export over the size limit: a retry downloads it again", () => {
    assert.equal(isPermanentError("EXPORT_TOO_LARGE"), true);
  });

  it("retries what may pass on another attempt", () => {
    for (const code of ["SSH_TIMEOUT", "SSH_UNREACHABLE", "SSH_CONNECTION_LOST", "EXPORT_TRUNCATED"] as const)
      assert.equal(isPermanentError(code), false, code);
  });
});
