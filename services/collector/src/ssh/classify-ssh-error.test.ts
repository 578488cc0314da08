import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { classifySshFailure } from "./classify-ssh-error.js";
import { hostKeyFingerprint, verifyHostKey } from "./host-key.js";

describe("classifySshFailure", () => {
  it("maps socket, timeout, auth and close facts to stable codes", () => {
    const code = (facts: Parameters<typeof classifySshFailure>[0]) => classifySshFailure(facts).code;
    assert.equal(code({ phase: "connect", errno: "ECONNREFUSED", level: "client-socket" }), "SSH_UNREACHABLE");
    assert.equal(code({ phase: "connect", errno: "ENOTFOUND" }), "SSH_UNREACHABLE");
    assert.equal(code({ phase: "connect", level: "client-timeout" }), "SSH_TIMEOUT");
    assert.equal(code({ phase: "command", level: "client-timeout" }), "SSH_TIMEOUT");
    assert.equal(code({ phase: "connect", level: "client-authentication" }), "SSH_AUTH_FAILED");
    assert.equal(code({ phase: "connect", closed: true, handshakeDone: false }), "SSH_UNREACHABLE");
    assert.equal(code({ phase: "connect", closed: true, handshakeDone: true }), "SSH_CONNECTION_LOST");
    assert.equal(code({ phase: "command", errno: "ECONNRESET" }), "SSH_CONNECTION_LOST");
    assert.equal(code({ phase: "connect", level: "handshake", handshakeDone: false }), "SSH_CONNECTION_LOST");
  });
});

describe("host key", () => {
  it("fingerprints like ssh-keygen and pins on first use", () => {
    const blob = Buffer.from("not really a key blob");
    const expected = `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
    assert.equal(hostKeyFingerprint(blob), expected);
    assert.match(expected, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.deepEqual(verifyHostKey(blob, null), { kind: "accept", fingerprint: expected, pinned: false });
    assert.deepEqual(verifyHostKey(blob, expected), { kind: "accept", fingerprint: expected, pinned: true });
    assert.deepEqual(verifyHostKey(Buffer.from("other"), expected).kind, "reject");
  });
});
