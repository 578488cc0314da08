/**
 * Word-level view of one RouterOS command line (`add address=10.0.0.1/24 comment="a b"`):
 * quoted strings and `[ find ... ]` stay whole, so attributes can be found, replaced or hidden
 * without a full parser.
 */

/** Splits a logical line into words, keeping quoted strings and `[ ... ]` together. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let current = "";
  let quoted = false;
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      current += ch;
      if (ch === "\\" && i + 1 < line.length) {
        current += line[++i];
      } else if (ch === '"') {
        quoted = false;
      }
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === "[") depth++;
    else if (ch === "]" && depth > 0) depth--;
    if (ch === " " && depth === 0) {
      if (current !== "") words.push(current);
      current = "";
      continue;
    }
    current += ch;
  }
  if (current !== "") words.push(current);
  return words;
}

/** Attribute name of a `key=value` word, or null for verbs, `[ find ]` and flags like `!ttl`. */
export function attributeKey(word: string): string | null {
  const eq = word.indexOf("=");
  if (eq <= 0 || word.startsWith("[") || word.startsWith('"')) return null;
  return word.slice(0, eq);
}

/** Value of `key=` in `line`, unquoted, or null. */
export function attributeValue(line: string, key: string): string | null {
  for (const word of splitWords(line)) {
    if (attributeKey(word) === key) return unquote(word.slice(key.length + 1));
  }
  return null;
}

/** Sets `key=value` in `line`, replacing an existing value or appending the attribute. */
export function setAttribute(line: string, key: string, value: string): string {
  const words = splitWords(line);
  const word = `${key}=${quoteValue(value)}`;
  const at = words.findIndex((w) => attributeKey(w) === key);
  if (at === -1) words.push(word);
  else words[at] = word;
  return words.join(" ");
}

const PLAIN_VALUE = /^[A-Za-z0-9._:/,+@%*!-]+$/;

/** A value as RouterOS writes it: bare when plain, else quoted with `\ " $ ?` escaped. */
export function quoteValue(value: string): string {
  if (PLAIN_VALUE.test(value)) return value;
  return `"${value.replace(/[\\"$?]/g, (c) => `\\${c}`)}"`;
}

/** Inverse of {@link quoteValue}. */
export function unquote(value: string): string {
  if (!value.startsWith('"') || !value.endsWith('"') || value.length < 2) return value;
  return value.slice(1, -1).replace(/\\(.)/g, "$1");
}
