import { formatPatch, structuredPatch } from "diff";

/** A line diff between two texts: unified format plus how many lines each side lost or gained. */
export interface TextDiff {
  /** Unified diff (`@@ -a,b +c,d @@` hunks, 3 lines of context, no file header); "" when equal. */
  readonly unified: string;
  readonly added: number;
  readonly removed: number;
}

const CONTEXT_LINES = 3;
const NO_FILE_HEADERS = { includeIndex: false, includeUnderline: false, includeFileHeaders: false };

/**
 * Line diff of two texts (pass redacted exports: the diff repeats their lines). jsdiff's Myers
 * diff costs O((N + M) · D) for D differing lines, so two versions of a large config that differ
 * in a few places diff in milliseconds.
 *
 * @example textDiff("a\nb\n", "a\nc\n") // { unified: "@@ -1,2 +1,2 @@\n a\n-b\n+c\n", added: 1, removed: 1 }
 */
export function textDiff(before: string, after: string): TextDiff {
  if (before === after) return { unified: "", added: 0, removed: 0 };
  const patch = structuredPatch("before", "after", before, after, undefined, undefined, { context: CONTEXT_LINES });
  let added = 0;
  let removed = 0;
  for (const hunk of patch.hunks) {
    for (const line of hunk.lines) {
      if (line.startsWith("+")) added++;
      else if (line.startsWith("-")) removed++;
    }
  }
  return { unified: formatPatch(patch, NO_FILE_HEADERS), added, removed };
}
