import assert from "node:assert/strict";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { SealError } from "./errors.js";
import { createSealer, generateKey, parseKeyRing } from "./seal.js";

const oldKey = generateKey();
const newKey = generateKey();

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SealError);
    return err.code;
  }
  assert.fail("expected SealError");
}

describe("seal", () => {
  it("keeps its byte layout: NL1 | id length | id | iv | tag | AES-256-GCM ciphertext, checked with bare node:crypto", () => {
    const key = Buffer.from(newKey, "base64");
    const sealer = createSealer(parseKeyRing(`k7:${newKey}`));
    const plaintext = randomBytes(100_003);
    const sealed = sealer.seal(plaintext, "t:d");
    assert.deepEqual(sealed.subarray(0, 6), Buffer.from("NL1\u0002k7", "latin1"));
    const decipher = createDecipheriv("aes-256-gcm", key, sealed.subarray(6, 18));
    decipher.setAuthTag(sealed.subarray(18, 34));
    decipher.setAAD(Buffer.from("t:d"));
    assert.deepEqual(Buffer.concat([decipher.update(sealed.subarray(34)), decipher.final()]), plaintext);
    // And a value made by hand, as the previous implementation laid it out, opens.
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const byHand = Buffer.concat([Buffer.from("NL1\u0002k7", "latin1"), iv, cipher.getAuthTag(), body]);
    assert.deepEqual(sealer.open(byHand), plaintext);
    assert.equal(sealer.openString(sealer.sealString("x\u00e9", "a"), "a"), "x\u00e9");
  });

  it("round-trips binary and string forms, with and without AAD", () => {
    const sealer = createSealer(parseKeyRing(`k1:${oldKey}`));
    const secret = "/user set admin password=hunter2";
    const text = sealer.sealString(secret, "device-1");
    assert.doesNotMatch(text, /hunter2/);
    assert.equal(sealer.openString(text, "device-1"), secret);
    const bin = sealer.seal(Buffer.from(secret));
    assert.equal(sealer.open(bin).toString(), secret);
    assert.notEqual(sealer.sealString(secret), sealer.sealString(secret), "fresh IV every time");
  });

  it("rotates: seals with the first key, opens with any", () => {
    const before = createSealer(parseKeyRing(`old:${oldKey}`));
    const sealedOld = before.sealString("v1 secret");
    const after = createSealer(parseKeyRing(`new:${newKey},old:${oldKey}`));
    assert.equal(after.openString(sealedOld), "v1 secret");
    const sealedNew = after.sealString("v2 secret");
    assert.equal(after.keyIdOf(sealedNew), "new");
    assert.equal(after.keyIdOf(sealedOld), "old");
    assert.equal(
      code(() => before.openString(sealedNew)),
      "SEAL_UNKNOWN_KEY",
    );
  });

  it("detects tampering, wrong AAD and malformed input", () => {
    const sealer = createSealer(parseKeyRing(`k1:${oldKey}`));
    const bin = sealer.seal(Buffer.from("payload"), "a");
    bin[bin.length - 1] = (bin[bin.length - 1] ?? 0) ^ 1;
    assert.equal(
      code(() => sealer.open(bin, "a")),
      "SEAL_TAMPERED",
    );
    assert.equal(
      code(() => sealer.openString(sealer.sealString("x", "a"), "b")),
      "SEAL_TAMPERED",
    );
    assert.equal(
      code(() => sealer.openString("plaintext")),
      "SEAL_MALFORMED",
    );
    assert.equal(
      code(() => sealer.open(Buffer.from("garbage"))),
      "SEAL_MALFORMED",
    );
  });

  it("rejects bad key rings without echoing key material", () => {
    assert.equal(
      code(() => parseKeyRing("")),
      "SEAL_KEY_RING_INVALID",
    );
    assert.equal(
      code(() => parseKeyRing("k1:c2hvcnQ=")),
      "SEAL_KEY_RING_INVALID",
    );
    assert.equal(
      code(() => parseKeyRing(`k1:${oldKey},k1:${newKey}`)),
      "SEAL_KEY_RING_INVALID",
    );
    assert.throws(
      () => parseKeyRing(`bad id:${oldKey}`),
      (err: unknown) => err instanceof SealError && !String(err).includes(oldKey.slice(0, 10)),
      "rejected, without quoting the key",
    );
  });
});
