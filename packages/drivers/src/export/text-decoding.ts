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
  return (text.match(NON_PRINTABLE)?.length ?? 0) / text.length;
}
