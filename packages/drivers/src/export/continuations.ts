import type { ContinuationRule, StringLiteralRule } from "./format.js";

/** Whether `line` ends in an odd-length run of the continuation marker, i.e. continues on the next line. */
export function continues(line: string, rule: ContinuationRule): boolean {
  let run = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === rule.marker; i--) run++;
  return run % 2 === 1;
}

/**
 * Joins continued physical lines into logical lines: the marker, the line end and the device's
 * indentation of the next line go, nothing else. RouterOS ignores exactly these when it reads the
 * export back (` \` between tokens keeps its space; `\r\` + `\n` inside a string becomes `\r\n`), so
 * the logical line is what the device means. A change anywhere in a wrapped line changes the
 * joined line, and the same config wrapped at other columns joins to the same text.
 *
 * Lines are expected trimmed at the end; the joined line is trimmed again so that joining a
 * blank continuation cannot leave trailing whitespace (keeps normalization idempotent).
 * A continuation on the last line has nothing to join and stays dangling.
 *
 * @example joinContinuations(["add a=1 \\", "    b=2"], { marker: "\\", indent: "    " }) // ["add a=1 b=2"]
 */
export function joinContinuations(lines: readonly string[], rule: ContinuationRule): string[] {
  const joined: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    while (continues(line, rule) && i + 1 < lines.length) {
      i++;
      line = joinContinued(line, lines[i]!, rule);
    }
    joined.push(line);
  }
  return joined;
}

/** `line` (which continues) joined with the `next` physical line: marker and indentation go. */
export function joinContinued(line: string, next: string, rule: ContinuationRule): string {
  const rest = next.startsWith(rule.indent) ? next.slice(rule.indent.length) : next;
  return (line.slice(0, -rule.marker.length) + rest).trimEnd();
}

/** Whether `line` ends inside a string literal (an odd number of unescaped quotes). */
export function endsInsideString(line: string, rule: StringLiteralRule): boolean {
  let inside = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (inside && ch === rule.escape) i++;
    else if (ch === rule.quote) inside = !inside;
  }
  return inside;
}
