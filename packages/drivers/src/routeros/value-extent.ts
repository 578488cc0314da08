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
  while (j < line.length && !/[\s\];]/.test(line[j]!)) j++;
  return j;
}

/**
 * Where an attribute value starting at `start` ends when it sits inside a string literal, as in
 * a script `source="... password=\"x\" ..."`. The text is still escaped once: an inner quote is
 * `\"`, an escaped inner quote `\\\"`. So a quote preceded by k backslashes closes the outer
 * string when k is even, closes the inner value when k ≡ 1 (mod 4), and is text when k ≡ 3.
 * Never consumes the outer closing quote.
 */
export function embeddedValueEnd(line: string, start: number): number {
  if (line.startsWith('\\"', start)) return embeddedQuotedEnd(line, start + 2);
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

function embeddedQuotedEnd(line: string, from: number): number {
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
    } else if (run % 2 === 0) {
      return j + run;
    } else if (run % 4 === 1) {
      return j + run + 1;
    } else {
      j += run + 1;
    }
  }
  return line.length;
}
