import { createCipheriv, createDecipheriv, randomBytes, randomFillSync } from "node:crypto";
import { SealError } from "./errors.js";

/**
 * Sealing of secrets at rest and on the wire: AES-256-GCM with a key ring.
 * The first key of the ring is the current one (used to seal); every key can open, so keys
 * rotate by putting a new key first and keeping the old ones until data is re-sealed.
 * The key id travels with each ciphertext. Optional associated data (AAD) binds a ciphertext
 * to its owner (e.g. a device id) so it cannot be swapped onto another record.
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const MAGIC = Buffer.from("NL1", "ascii");
const EMPTY = new Uint8Array(0);
const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface KeyRing {
  readonly currentKeyId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/**
 * Parses `id:base64key[,id:base64key...]`; each key must decode to 32 bytes.
 * @example parseKeyRing("2026b:" + newKey + ",2026a:" + oldKey) // seals with 2026b, opens both
 */
export function parseKeyRing(spec: string): KeyRing {
  const keys = new Map<string, Buffer>();
  const entries = spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new SealError("SEAL_KEY_RING_INVALID", "key ring is empty");
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(":");
    const id = colon > 0 ? entry.slice(0, colon) : "";
    if (!KEY_ID_PATTERN.test(id)) {
      throw new SealError("SEAL_KEY_RING_INVALID", `key ring entry ${index + 1}: expected id:base64key`);
    }
    const key = Buffer.from(entry.slice(colon + 1), "base64");
    if (key.length !== KEY_BYTES) {
      throw new SealError("SEAL_KEY_RING_INVALID", `key "${id}" must be ${KEY_BYTES} bytes of base64`);
    }
    if (keys.has(id)) throw new SealError("SEAL_KEY_RING_INVALID", `key id "${id}" appears twice`);
    keys.set(id, key);
  }
  const currentKeyId = entries[0]?.slice(0, entries[0].indexOf(":")) ?? "";
  return { currentKeyId, keys };
}

/** A fresh random key, base64, for `id:key` entries (`npm run -w @netledger/platform keygen`). */
export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString("base64");
}

export interface Sealer {
  readonly currentKeyId: string;
  seal(plaintext: Uint8Array, aad?: string): Buffer;
  open(sealed: Uint8Array, aad?: string): Buffer;
  /** `v1:<keyId>:<base64url(iv|tag|ciphertext)>`, safe for JSON and text columns. */
  sealString(plaintext: string, aad?: string): string;
  openString(sealed: string, aad?: string): string;
  /** Key id a sealed value was made with, to find data still sealed with a retired key. */
  keyIdOf(sealed: Uint8Array | string): string;
}

export function createSealer(ring: KeyRing): Sealer {
  const keyFor = (id: string): Buffer => {
    const key = ring.keys.get(id);
    if (!key) throw new SealError("SEAL_UNKNOWN_KEY", `no key "${id}" in the key ring`);
    return key;
  };
  /**
   * `prefix | iv | tag | ciphertext` in one allocation: a multi-MB plaintext (a large snapshot's
   * gzip) is not copied again to put the header in front.
   */
  const encrypt = (plaintext: Uint8Array, aad: string | undefined, prefix: Uint8Array = EMPTY) => {
    const out = Buffer.allocUnsafe(prefix.length + IV_BYTES + TAG_BYTES + plaintext.length);
    out.set(prefix, 0);
    const iv = out.subarray(prefix.length, prefix.length + IV_BYTES);
    randomFillSync(iv);
    const cipher = createCipheriv("aes-256-gcm", keyFor(ring.currentKeyId), iv);
    if (aad !== undefined) cipher.setAAD(Buffer.from(aad, "utf8"));
    const bodyAt = prefix.length + IV_BYTES + TAG_BYTES;
    // GCM is a stream mode: the ciphertext is exactly as long as the plaintext, final() adds nothing.
    const written = cipher.update(plaintext).copy(out, bodyAt);
    cipher.final().copy(out, bodyAt + written);
    cipher.getAuthTag().copy(out, prefix.length + IV_BYTES);
    return out;
  };
  const decrypt = (keyId: string, payload: Buffer, aad: string | undefined) => {
    if (payload.length < IV_BYTES + TAG_BYTES) throw new SealError("SEAL_MALFORMED", "sealed value too short");
    const decipher = createDecipheriv("aes-256-gcm", keyFor(keyId), payload.subarray(0, IV_BYTES));
    decipher.setAuthTag(payload.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    if (aad !== undefined) decipher.setAAD(Buffer.from(aad, "utf8"));
    try {
      return Buffer.concat([decipher.update(payload.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch (cause) {
      throw new SealError("SEAL_TAMPERED", "sealed value failed authentication", { cause });
    }
  };
  const parseBinary = (sealed: Uint8Array) => {
    const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (buf.length < MAGIC.length + 1 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new SealError("SEAL_MALFORMED", "not a sealed value");
    }
    const idLength = buf[MAGIC.length] ?? 0;
    const idStart = MAGIC.length + 1;
    const keyId = buf.subarray(idStart, idStart + idLength).toString("ascii");
    if (!KEY_ID_PATTERN.test(keyId)) throw new SealError("SEAL_MALFORMED", "bad key id in sealed value");
    return { keyId, payload: buf.subarray(idStart + idLength) };
  };
  const parseString = (sealed: string) => {
    const match = /^v1:([A-Za-z0-9_-]{1,64}):([A-Za-z0-9_-]+)$/.exec(sealed);
    if (!match?.[1] || !match[2]) throw new SealError("SEAL_MALFORMED", "not a sealed string");
    return { keyId: match[1], payload: Buffer.from(match[2], "base64url") };
  };
  return {
    currentKeyId: ring.currentKeyId,
    seal(plaintext, aad) {
      const id = Buffer.from(ring.currentKeyId, "ascii");
      return encrypt(plaintext, aad, Buffer.concat([MAGIC, Buffer.of(id.length), id]));
    },
    open(sealed, aad) {
      const { keyId, payload } = parseBinary(sealed);
      return decrypt(keyId, payload, aad);
    },
    sealString(plaintext, aad) {
      return `v1:${ring.currentKeyId}:${encrypt(Buffer.from(plaintext, "utf8"), aad).toString("base64url")}`;
    },
    openString(sealed, aad) {
      const { keyId, payload } = parseString(sealed);
      return decrypt(keyId, payload, aad).toString("utf8");
    },
    keyIdOf(sealed) {
      return typeof sealed === "string" ? parseString(sealed).keyId : parseBinary(sealed).keyId;
    },
  };
}
