import { isUtf8 } from "node:buffer";

/** Result of strictly decoding device output as UTF-8. */
export type DecodedText =
  /** `text` without a leading BOM; `withBom` exactly as `bytes.toString("utf8")` gives it. */
  | { readonly kind: "text"; readonly text: string; readonly withBom: string }
  /** Valid up to the last bytes, which start a character that never ends: the output was cut. */
  | { readonly kind: "cut-character" }
  | { readonly kind: "invalid" };

/**
 * Decodes `bytes` as UTF-8 without replacement characters (a leading BOM is dropped from `text`).
 * Valid input is decoded by `Buffer#toString`, which stores ASCII text in one byte per character
 * (`TextDecoder` would build a two-byte string: twice the memory of a multi-MB export).
 */
export function decodeUtf8(bytes: Uint8Array): DecodedText {
  if (isUtf8(bytes)) {
    const withBom = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    return { kind: "text", text: withBom.startsWith(BOM) ? withBom.slice(1) : withBom, withBom };
  }
  // Not valid: tell a character cut at the very end from bad bytes anywhere (rare, so no hurry).
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    decoder.decode(bytes, { stream: true });
  } catch {
    return { kind: "invalid" };
  }
  try {
    decoder.decode();
  } catch {
    return { kind: "cut-character" };
  }
  return { kind: "invalid" };
}

const BOM = "\uFEFF";

/** C0 controls except tab, LF and CR; DEL; C1 controls. None of them belongs in a config export. */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Whether `text` holds a control character other than tab, CR and LF (NUL included). */
export function hasControlCharacter(text: string): boolean {
  return CONTROL_CHARACTER.test(text);
}

const NON_PRINTABLE = /[\p{Cn}\p{Co}\p{Cs}\p{Cf}\uFFFD]/gu;

/** Share of characters that print nothing meaningful (unassigned, private use, format, U+FFFD). */
export function nonPrintableRatio(text: string): number {
  if (text.length === 0) return 0;
  return nonPrintableCount(text) / text.length;
}

/** How many characters of `text` print nothing meaningful (see {@link nonPrintableRatio}). */
export function nonPrintableCount(text: string): number {
  return text.match(NON_PRINTABLE)?.length ?? 0;
}

/**
 * {@link decodeUtf8}'s verdict on bytes that arrive in chunks, without holding them: each chunk is
 * checked up to its last complete character (`isUtf8`, native) and the few bytes of a character
 * split between chunks are carried to the next. Same verdict as `decodeUtf8` of the chunks joined.
 */
export class Utf8Validator {
  #carry: Buffer = Buffer.alloc(0);
  #invalid = false;

  push(chunk: Buffer): void {
    if (this.#invalid || chunk.length === 0) return;
    let rest = chunk;
    if (this.#carry.length > 0) {
      const need = sequenceLength(this.#carry[0]!) - this.#carry.length;
      const take = Math.min(need, chunk.length);
      const joined = Buffer.concat([this.#carry, chunk.subarray(0, take)]);
      if (take < need) {
        this.#carry = joined;
        return;
      }
      this.#carry = Buffer.alloc(0);
      if (!isUtf8(joined)) {
        this.#invalid = true;
        return;
      }
      rest = chunk.subarray(take);
    }
    const cut = rest.length - incompleteTail(rest);
    if (!isUtf8(rest.subarray(0, cut))) {
      this.#invalid = true;
      return;
    }
    this.#carry = Buffer.from(rest.subarray(cut));
  }

  /** What `decodeUtf8(...).kind` of all the chunks joined is. */
  end(): DecodedText["kind"] {
    if (this.#invalid) return "invalid";
    return this.#carry.length === 0 ? "text" : decodeUtf8(this.#carry).kind;
  }
}

/** Bytes a sequence starting with `lead` takes (1 for a byte that cannot start one: checked later). */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0 && lead <= 0xf7) return 4;
  if (lead >= 0xe0) return lead <= 0xef ? 3 : 1;
  if (lead >= 0xc0) return 2;
  return 1;
}

/** Length of the character `bytes` ends inside of (its first bytes only), or 0. */
function incompleteTail(bytes: Buffer): number {
  for (let i = bytes.length - 1; i >= 0 && i >= bytes.length - 3; i--) {
    const byte = bytes[i]!;
    if ((byte & 0xc0) === 0x80) continue;
    return i + sequenceLength(byte) > bytes.length ? bytes.length - i : 0;
  }
  return 0;
}
