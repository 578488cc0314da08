import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { authSequence } from "./auth-methods.js";

describe("authSequence", () => {
  it("asks the methods, then tries key, password and keyboard-interactive the server still offers", () => {
    const next = authSequence({ password: true, privateKey: true });
    assert.equal(next(null), "none");
    assert.equal(next(["publickey", "password", "keyboard-interactive"]), "publickey");
    assert.equal(next(["password", "keyboard-interactive"]), "password");
    assert.equal(next(["password", "keyboard-interactive"]), false, "no second try with the same password");
  });

  it("answers a server that offers only keyboard-interactive", () => {
    const next = authSequence({ password: true, privateKey: false });
    assert.equal(next(null), "none");
    assert.equal(next(["keyboard-interactive"]), "keyboard-interactive");
    assert.equal(next(["keyboard-interactive"]), false);
  });

  it("never offers the password methods without a password", () => {
    const next = authSequence({ password: false, privateKey: true });
    assert.equal(next(null), "none");
    assert.equal(next(["password", "keyboard-interactive"]), false);
  });
});
