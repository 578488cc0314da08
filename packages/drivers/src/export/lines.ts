import { continues, joinContinued } from "./continuations.js";
import type { ExportFormat } from "./format.js";

/** Splits on every line end the devices send (LF, CRLF, lone CR), so CRLF and LF input read alike. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/**
 * The lines `splitLines(text.slice(0, end))` gives, one at a time, without an array of the whole
 * text: a multi-MB export is checked and normalized line by line. `end` must not fall inside a CRLF.
 */
export function* eachLine(text: string, end = text.length): Generator<string> {
  const ends = new LineEnds(text);
  let start = 0;
  for (;;) {
    let i = ends.next(start);
    if (i === -1 || i > end) i = end;
    yield text.slice(start, i);
    if (i >= end) return;
    start = i + 1 < end && ends.isCrlf(i) ? i + 2 : i + 1;
  }
}

/**
 * Line ends of a text in order, found with indexOf (native, far faster than a loop over char
 * codes); the next CR and the next LF are each looked up again only once passed.
 */
export class LineEnds {
  readonly #text: string;
  #cr: number;
  #lf: number;

  constructor(text: string) {
    this.#text = text;
    this.#cr = text.indexOf("\r");
    this.#lf = text.indexOf("\n");
  }

  /** Position of the first CR or LF at or after `start` (not before the last one found), or -1. */
  next(start: number): number {
    if (this.#cr !== -1 && this.#cr < start) this.#cr = this.#text.indexOf("\r", start);
    if (this.#lf !== -1 && this.#lf < start) this.#lf = this.#text.indexOf("\n", start);
    return this.#cr === -1 ? this.#lf : this.#lf === -1 ? this.#cr : Math.min(this.#cr, this.#lf);
  }

  /** Whether the line end `next` just returned at `i` is a CR followed by LF. */
  isCrlf(i: number): boolean {
    return i === this.#cr && this.#lf === i + 1;
  }
}

/**
 * The lines `splitLines(bytes.toString("utf8"))` gives, each decoded on its own: a look at the
 * first lines of a multi-MB output costs no decoding of the rest. Line ends are ASCII, never
 * inside a multi-byte character, so each line reads as in the whole text.
 */
export function* eachLineOfBytes(bytes: Buffer): Generator<string> {
  let start = 0;
  for (;;) {
    let i = start;
    while (i < bytes.length && bytes[i] !== LF && bytes[i] !== CR) i++;
    yield bytes.toString("utf8", start, i);
    if (i >= bytes.length) return;
    start = bytes[i] === CR && bytes[i + 1] === LF ? i + 2 : i + 1;
  }
}

/** Length of the longest line `splitLines(text)` gives, without making any of them. */
export function longestLine(text: string): number {
  const ends = new LineEnds(text);
  let longest = 0;
  for (let start = 0; ; ) {
    const i = ends.next(start);
    if (i === -1) return Math.max(longest, text.length - start);
    longest = Math.max(longest, i - start);
    start = ends.isCrlf(i) ? i + 2 : i + 1;
  }
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Logical lines of an export: physical lines with trailing whitespace trimmed, trailing blank
 * lines dropped (so a dangling continuation stays visible as the last line), and continued
 * lines joined. Shared by the completeness check and normalization so both see the same lines.
 */
export function logicalLines(text: string, format: ExportFormat): string[] {
  return [...eachLogicalLine(text, format)];
}

/** The lines of {@link logicalLines}, one at a time (same rules: see `joinContinuations`). */
export function* eachLogicalLine(text: string, format: ExportFormat): Generator<string> {
  // Trailing blank physical lines are exactly those after the last non-whitespace character.
  const end = text.trimEnd().length;
  if (end === 0) return;
  const rule = format.continuation;
  let pending: string | null = null;
  for (const physical of eachLine(text, end)) {
    const line = physical.trimEnd();
    pending = pending === null ? line : joinContinued(pending, line, rule!);
    if (rule === null || !continues(pending, rule)) {
      yield pending;
      pending = null;
    }
  }
  if (pending !== null) yield pending;
}

/** Removes blank lines from the end of `lines`, in place. */
export function dropTrailingBlank(lines: string[]): void {
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
}

/** The export header line's match (searched before the first section, reading no further), or null. */
function findHeader(lines: Iterable<string>, format: ExportFormat): RegExpExecArray | null {
  for (const line of lines) {
    if (format.section.test(line)) return null;
    const match = format.header.exec(line);
    if (match !== null) return match;
  }
  return null;
}

/** The software version named by the export header, or null. */
export function headerVersion(lines: Iterable<string>, format: ExportFormat): string | null {
  return findHeader(lines, format)?.groups?.version ?? null;
}

/** Whether an export header appears before the first section. */
export function hasHeader(lines: Iterable<string>, format: ExportFormat): boolean {
  return findHeader(lines, format) !== null;
}
