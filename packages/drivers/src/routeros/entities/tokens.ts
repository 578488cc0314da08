import { valueEnd } from "../value-extent.js";

/** One word of a RouterOS command line: `name=value`, a bare word (`add`, `telnet`, `!keepalive`) or a `[ ... ]` selector. */
export type Token =
  | { readonly kind: "attribute"; readonly name: string; readonly value: string }
  | { readonly kind: "word"; readonly text: string }
  | { readonly kind: "selector"; readonly text: string };

const ATTRIBUTE_NAME = /[a-zA-Z!.][a-zA-Z0-9._-]*=/y;

/**
 * Splits a logical line (outside any string at its start) into tokens. Quoted values keep their
 * quotes and escapes exactly as written, so equal text means equal value.
 *
 * @example tokenize('set [ find default-name=ether1 ] comment="a b"')
 * // word "set", selector "[ find default-name=ether1 ]", attribute comment = "\"a b\""
 */
export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const code = line.charCodeAt(i);
    if (code === 32 || code === 9) {
      i++;
      continue;
    }
    if (line[i] === "[") {
      const end = selectorEnd(line, i);
      tokens.push({ kind: "selector", text: line.slice(i, end) });
      i = end;
      continue;
    }
    ATTRIBUTE_NAME.lastIndex = i;
    const name = ATTRIBUTE_NAME.exec(line)?.[0];
    if (name !== undefined) {
      const start = i + name.length;
      const end = valueEnd(line, start);
      tokens.push({ kind: "attribute", name: name.slice(0, -1), value: line.slice(start, end) });
      i = end;
      continue;
    }
    const end = valueEnd(line, i);
    const stop = end === i ? i + 1 : end;
    tokens.push({ kind: "word", text: line.slice(i, stop) });
    i = stop;
  }
  return tokens;
}

/** End of a `[ ... ]` selector starting at `start`: after its matching `]`, skipping strings and nested brackets. */
function selectorEnd(line: string, start: number): number {
  let depth = 0;
  for (let j = start; j < line.length; j++) {
    const ch = line[j]!;
    if (ch === '"') j = valueEnd(line, j) - 1;
    else if (ch === "[") depth++;
    else if (ch === "]" && --depth === 0) return j + 1;
  }
  return line.length;
}

/** A quoted RouterOS value as plain text (`"a \"b\""` → `a "b"`); unquoted values unchanged. */
export function unquote(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  return value.slice(1, -1).replace(/\\(.)/g, "$1");
}
