import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { levelOf } from "./bundle-service.js";

describe("levelOf", () => {
  it("reads pino labels and numbers alike", () => {
    assert.equal(levelOf({ level: "warn" }), 40);
    assert.equal(levelOf({ level: "info" }), 30);
    assert.equal(levelOf({ level: 50 }), 50);
    assert.equal(levelOf({ level: "chatty" }), 0);
    assert.equal(levelOf({}), 0);
  });
});
