/**
 * Where an attribute value starting at `start` ends, on a RouterOS logical line outside any
 * string: a quoted value through its closing quote, else up to whitespace, `]` or `;`.
 */
export function valueEnd(line: string, start: number): number {
  if (line[start] === '"') {
    for (let j = start + 1; j < line.length; j++) {
      if (line[j] === "\\") j++;
      else if (line[j] === '"') return j + 1;
    }
    return line.length;
  }
  let j = start;
  while (j < line.length && !endsBareValue(line.charCodeAt(j))) j++;
  return j;
}

const BARE_VALUE_END = /[\s\];]/;
const ASCII_BARE_VALUE_END = new Uint8Array(128).map((_, code) =>
  BARE_VALUE_END.test(String.fromCharCode(code)) ? 1 : 0,
);
/** `/[\s\];]/` on a character code, without a regex for ASCII. */
function endsBareValue(code: number): boolean {
  return code < 128 ? ASCII_BARE_VALUE_END[code] === 1 : BARE_VALUE_END.test(String.fromCharCode(code));
}

/**
 * Where an attribute value starting at `start` ends when it sits inside a string literal, as in
 * a script `source="... password=\"x\" ..."`. The text is still escaped once: an inner quote is
 * `\"`, an escaped inner quote `\\\"`. So a quote preceded by k backslashes closes the outer
 * string when k is even, closes the inner value when k ≡ 1 (mod 4), and is text when k ≡ 3.
 * A value quoted one level deeper (`password=\\\"x\\\"`, a string in a string in the export's
 * string) runs to the next quote of its own depth. Never consumes the outer closing quote.
 */
export function embeddedValueEnd(line: string, start: number): number {
  const opener = quoteOpener(line, start);
  if (opener > 0) return quotedEnd(line, start + opener + 1, quoteLevel(opener));
  let j = start;
  while (j < line.length) {
    const ch = line[j]!;
    if (/[\s;\]})"]/.test(ch)) return j;
    if (ch === "\\") {
      if (/[nrt_"]/.test(line[j + 1] ?? "")) return j;
      j += 2;
    } else j++;
  }
  return line.length;
}

/** Length of an odd run of backslashes starting at `start` and followed by `"`, else 0. */
function quoteOpener(line: string, start: number): number {
  let run = 0;
  while (line[start + run] === "\\") run++;
  return run % 2 === 1 && line[start + run] === '"' ? run : 0;
}

/**
 * Which string a quote preceded by `run` backslashes belongs to, unescaping one level at a time:
 * 0 the export's own string (even run), 1 a string inside it (`\"`, or `\\\\\"`), 2 one deeper
 * (`\\\"`), and so on.
 */
function quoteLevel(run: number): number {
  let level = 0;
  for (let r = run; r % 2 === 1; r = (r - 1) / 2) level++;
  return level;
}

/**
 * End of a value quoted at string depth `depth`: just after the next quote of that depth, or at a
 * quote of a shallower string (which closes around the value). Never consumes the outer quote.
 */
function quotedEnd(line: string, from: number, depth: number): number {
  let j = from;
  while (j < line.length) {
    if (line[j] !== "\\") {
      if (line[j] === '"') return j;
      j++;
      continue;
    }
    let run = 0;
    while (line[j + run] === "\\") run++;
    if (line[j + run] !== '"') {
      j += run % 2 === 1 ? run + 1 : run;
      continue;
    }
    const level = quoteLevel(run);
    if (level === depth) return j + run + 1;
    if (level === 0) return j + run;
    if (level < depth) return j;
    j += run + 1;
  }
  return line.length;
}

/**
 * A value as written, without its quotes: `"a b"` → `a b`, `\"x\"` → `x`, `\\\"x\\\"` → `x`;
 * a bare value is returned as it is.
 */
export function innerValue(written: string): string {
  if (written.length >= 2 && written.startsWith('"') && written.endsWith('"')) return written.slice(1, -1);
  if (!written.startsWith("\\")) return written;
  const opener = /^(\\+)"/.exec(written)?.[1];
  if (
    opener !== undefined &&
    opener.length % 2 === 1 &&
    written.endsWith(`${opener}"`) &&
    written.length >= 2 * opener.length + 2
  ) {
    return written.slice(opener.length + 1, -(opener.length + 1));
  }
  return written;
}
