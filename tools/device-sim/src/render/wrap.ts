/**
 * RouterOS export line wrapping. A logical line longer than the terminal width is split into
 * physical lines that end in ` \` (break between words) or `\` (break after `key=` or inside a
 * long value); continuation lines are indented by four spaces. Reproduces what RouterOS prints,
 * checked against real exports in the fixture folder.
 */

/** Longest physical line RouterOS emits, trailing backslash included. */
export const WRAP_WIDTH = 79;

import { splitWords } from "./words.js";

const INDENT = "    ";
/** RouterOS keeps room for ` \` on every line, even the last one and even before a `key=` break. */
const RESERVE = 2;

interface Atom {
  /** Text of the atom. */
  readonly text: string;
  /** Separator before the atom: " " (word break) or "" (break after `key=`). */
  readonly sep: " " | "";
}

function toAtoms(words: readonly string[]): Atom[] {
  const atoms: Atom[] = [];
  for (const word of words) {
    const eq = word.indexOf("=");
    const quote = word.indexOf('"');
    const sep = atoms.length === 0 ? "" : " ";
    if (eq > 0 && eq < word.length - 1 && (quote === -1 || quote > eq) && !word.startsWith("[")) {
      atoms.push({ text: word.slice(0, eq + 1), sep });
      atoms.push({ text: word.slice(eq + 1), sep: "" });
    } else {
      atoms.push({ text: word, sep });
    }
  }
  return atoms;
}

function marker(sep: " " | ""): string {
  return sep === " " ? " \\" : "\\";
}

/**
 * Where to cut a line that is too long or holds a `\n` escape (RouterOS starts a new physical
 * line before each one); never between a backslash and the character it escapes.
 */
function cutPoint(line: string, from: number): number | null {
  const limit = WRAP_WIDTH - 1;
  for (let i = from + 1; i < line.length && i <= limit; i++) {
    if (line[i] === "\\") {
      if (line[i + 1] === "n") return i;
      if (i + 1 === limit) return i;
      i++;
    }
  }
  return line.length + RESERVE > WRAP_WIDTH ? limit : null;
}

/** Wraps one logical line; returns physical lines without line terminators. */
export function wrapLine(line: string): string[] {
  if (line.length + RESERVE <= WRAP_WIDTH) return [line];
  const atoms = toAtoms(splitWords(line));
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < atoms.length; i++) {
    const atom = atoms[i]!;
    const candidate = cur === "" ? atom.text : cur + atom.sep + atom.text;
    if (candidate.length + RESERVE <= WRAP_WIDTH) {
      cur = candidate;
      continue;
    }
    const freshFits = INDENT.length + atom.text.length + RESERVE <= WRAP_WIDTH;
    if (cur.trim() !== "" && freshFits) {
      out.push(cur + marker(atom.sep));
      cur = INDENT + atom.text;
      continue;
    }
    let long = candidate;
    let from = long.length - atom.text.length;
    for (let cut = cutPoint(long, from); cut !== null; cut = cutPoint(long, from)) {
      out.push(`${long.slice(0, cut)}\\`);
      long = INDENT + long.slice(cut);
      from = INDENT.length;
    }
    cur = long;
  }
  out.push(cur);
  return out;
}

/** Joins physical lines of a wrapped export back into logical lines (inverse of {@link wrapLine}). */
export function unwrapLines(physical: readonly string[]): string[] {
  const logical: string[] = [];
  let pending: string | null = null;
  for (const raw of physical) {
    const line: string = pending === null ? raw : pending + (raw.startsWith(INDENT) ? raw.slice(INDENT.length) : raw);
    if (line.endsWith("\\") && !line.startsWith("#")) {
      pending = line.slice(0, -1);
    } else {
      logical.push(line);
      pending = null;
    }
  }
  if (pending !== null) logical.push(pending);
  return logical;
}
