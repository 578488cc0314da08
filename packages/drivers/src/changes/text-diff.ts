import { diffLineArrays } from "./line-diff.js";

/** A line diff between two texts: unified format plus how many lines each side lost or gained. */
export interface TextDiff {
  /** Unified diff hunks (`@@ -a,b +c,d @@`, 3 lines of context, no file header); "" when equal. */
  readonly unified: string;
  readonly added: number;
  readonly removed: number;
}

const CONTEXT = 3;
/** Marks a last line that has no line end (never part of a real line: exports hold no NUL). */
const NO_EOL = "\u0000";

/**
 * Line diff of two texts (pass redacted exports: the diff repeats their lines), in the unified
 * format `diff -u` and jsdiff write (jsdiff's `applyPatch` applies it). See `diffLineArrays`.
 *
 * @example textDiff("a\nb\n", "a\nc\n") // { unified: "@@ -1,2 +1,2 @@\n a\n-b\n+c\n", added: 1, removed: 1 }
 */
export function textDiff(before: string, after: string): TextDiff {
  if (before === after) return { unified: "", added: 0, removed: 0 };
  const a = toLines(before);
  const b = toLines(after);
  const runs = diffLineArrays(a, b);
  const out: string[] = [];
  let added = 0;
  let removed = 0;
  let i = 0;
  let j = 0;
  let hunk: { aStart: number; bStart: number; lines: string[] } | null = null;
  const close = (aEnd: number, bEnd: number) => {
    if (hunk === null) return;
    out.push(
      `@@ -${range(hunk.aStart, aEnd - hunk.aStart)} +${range(hunk.bStart, bEnd - hunk.bStart)} @@`,
      ...hunk.lines,
    );
    hunk = null;
  };
  runs.forEach((run, index) => {
    if (run.kind === "equal") {
      const last = index === runs.length - 1;
      if (hunk !== null) {
        const keep = last || run.count > 2 * CONTEXT ? Math.min(run.count, CONTEXT) : run.count;
        for (let k = 0; k < keep; k++) hunk.lines.push(line(" ", a[i + k]!));
        if (keep < run.count || last) close(i + keep, j + keep);
      }
      i += run.count;
      j += run.count;
      return;
    }
    if (hunk === null) {
      const lead = Math.min(CONTEXT, i, j);
      hunk = { aStart: i - lead, bStart: j - lead, lines: [] };
      for (let k = i - lead; k < i; k++) hunk.lines.push(line(" ", a[k]!));
    }
    if (run.kind === "removed") {
      for (let k = 0; k < run.count; k++) hunk.lines.push(line("-", a[i + k]!));
      i += run.count;
      removed += run.count;
    } else {
      for (let k = 0; k < run.count; k++) hunk.lines.push(line("+", b[j + k]!));
      j += run.count;
      added += run.count;
    }
  });
  close(i, j);
  return { unified: `${out.join("\n")}\n`, added, removed };
}

/** Lines of `text` without their line ends; a last line without one carries {@link NO_EOL}. */
function toLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (text.endsWith("\n")) lines.pop();
  else lines[lines.length - 1] += NO_EOL;
  return lines;
}

function line(tag: string, text: string): string {
  return text.endsWith(NO_EOL) ? `${tag}${text.slice(0, -1)}\n\\ No newline at end of file` : `${tag}${text}`;
}

/** `start,count` as unified diffs write it: 1-based, and the line before when the count is 0. */
function range(start: number, count: number): string {
  return `${count === 0 ? start : start + 1},${count}`;
}
