import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { HOST_KEY_FAMILIES, LEGACY_KEX, MODERN_KEX, PROBE_ORDER, sshAlgorithms } from "./algorithms.js";
import { classifySshFailure } from "./classify-ssh-error.js";
import { hostKeyFingerprint, hostKeyType, verifyHostKey } from "./host-key.js";

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

  it("calls a device that accepted TCP and hung up before key exchange unreachable (retryable)", () => {
    const code = (facts: Parameters<typeof classifySshFailure>[0]) => classifySshFailure(facts).code;
    // ssh2: "Connection lost before handshake", level protocol, after the socket connected.
    assert.equal(
      code({ phase: "connect", level: "protocol", tcpConnected: true, handshakeDone: false }),
      "SSH_UNREACHABLE",
    );
    assert.equal(
      code({ phase: "connect", errno: "ECONNRESET", level: "client-socket", tcpConnected: true }),
      "SSH_UNREACHABLE",
    );
    assert.equal(
      code({ phase: "connect", level: "protocol", tcpConnected: true, handshakeDone: true }),
      "SSH_CONNECTION_LOST",
    );
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

describe("algorithms", () => {
  it("offers legacy key exchange only after every modern method", () => {
    assert.deepEqual(sshAlgorithms({ legacyKex: true }).kex, [...MODERN_KEX, ...LEGACY_KEX]);
    assert.deepEqual(sshAlgorithms({ legacyKex: false }).kex, [...MODERN_KEX]);
    assert.ok(LEGACY_KEX.includes("diffie-hellman-group14-sha1"));
    assert.ok(LEGACY_KEX.includes("diffie-hellman-group-exchange-sha1"));
  });

  it("asks for the pinned key's type first, and for one type only when probing", () => {
    assert.deepEqual(sshAlgorithms({ legacyKex: false, pinnedKeyType: "ssh-rsa" }).serverHostKey.slice(0, 3), [
      "rsa-sha2-512",
      "rsa-sha2-256",
      "ssh-rsa",
    ]);
    assert.equal(sshAlgorithms({ legacyKex: false }).serverHostKey[0], "ssh-ed25519");
    assert.equal(sshAlgorithms({ legacyKex: false }).serverHostKey.length, HOST_KEY_FAMILIES.flat().length);
    assert.deepEqual(sshAlgorithms({ legacyKex: false, onlyFamily: ["ssh-ed25519"] }).serverHostKey, ["ssh-ed25519"]);
    assert.deepEqual(new Set(PROBE_ORDER), new Set(HOST_KEY_FAMILIES), "every key type is probed");
    assert.equal(PROBE_ORDER[0]![0], "rsa-sha2-512");
  });

  it("reads the key type from a key blob", () => {
    const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from("ssh-ed25519"), Buffer.alloc(36)]);
    assert.equal(hostKeyType(blob), "ssh-ed25519");
    assert.equal(hostKeyType(Buffer.from("junk")), null);
  });
});
