import assert from "node:assert/strict";
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
