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

/**
 * {@link decodeUtf8} of the bytes `chunks` hold one after the other, without joining them: each
 * chunk is validated and decoded up to its last whole character, the few bytes of a character
 * split between chunks on their own. The text is then built once from the decoded pieces.
 */
export function decodeUtf8Chunks(chunks: readonly Uint8Array[]): DecodedText {
  const pieces: string[] = [];
  /** 1-3 bytes starting a character the previous chunk did not finish. */
  let carry: Buffer | null = null;
  for (const chunk of chunks) {
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (carry !== null) {
      const length = sequenceLength(carry[0]!);
      const head = Buffer.concat([carry, bytes.subarray(0, length - carry.length)]);
      if (head.length < length) {
        carry = head;
        continue;
      }
      if (!isUtf8(head)) return { kind: "invalid" };
      pieces.push(head.toString("utf8"));
      bytes = bytes.subarray(length - carry.length);
      carry = null;
    }
    const end = bytes.length - incompleteTail(bytes);
    if (!isUtf8(bytes.subarray(0, end))) return { kind: "invalid" };
    pieces.push(bytes.toString("utf8", 0, end));
    if (end < bytes.length) carry = Buffer.from(bytes.subarray(end));
  }
  // A character cut at the very end, or bytes that are none: rare, decided on the joined bytes.
  if (carry !== null) return decodeUtf8(Buffer.concat(chunks));
  const withBom = pieces.join("");
  return { kind: "text", text: withBom.startsWith(BOM) ? withBom.slice(1) : withBom, withBom };
}

/** Bytes of the UTF-8 sequence a lead byte announces (4 for bytes no sequence starts with: isUtf8 refuses them). */
function sequenceLength(lead: number): number {
  return lead >= 0xf0 || lead < 0xc0 ? 4 : lead >= 0xe0 ? 3 : 2;
}

/**
 * How many bytes at the end of `bytes` start a character that does not end within them (0-3):
 * a lead byte of a multi-byte sequence in the last 3 bytes, with fewer continuation bytes after it
 * than it announces. Validity is left to `isUtf8`.
 */
function incompleteTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: look further back
    if (byte < 0xc0) return 0;
    return sequenceLength(byte) > back ? back : 0;
  }
  return 0;
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
  return (text.match(NON_PRINTABLE)?.length ?? 0) / text.length;
}
