import { diffArrays } from "diff";

/** One run of a line diff: `count` lines equal on both sides, only in the new text, or only in the old. */
export interface LineRun {
  readonly kind: "equal" | "added" | "removed";
  readonly count: number;
}

/**
 * Line diff of two line arrays, as runs in order. Lines that occur exactly once in each text
 * and keep their relative order (the longest such chain, found by patience sorting) are
 * anchors; jsdiff's Myers diff runs only between consecutive anchors. Config lines are nearly all
 * unique, so two versions of a 200 KB export that differ in hundreds of places cost many small
 * diffs instead of one O(N·D) diff (measured: bench `diff`). Without anchors this is plain Myers.
 */
export function diffLineArrays(a: readonly string[], b: readonly string[]): LineRun[] {
  const runs: LineRun[] = [];
  const push = (kind: LineRun["kind"], count: number) => {
    if (count === 0) return;
    const last = runs.at(-1);
    if (last?.kind === kind) runs[runs.length - 1] = { kind, count: last.count + count };
    else runs.push({ kind, count });
  };
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  ) {
    suffix++;
  }
  push("equal", prefix);
  let i = prefix;
  let j = prefix;
  for (const [ai, bj] of anchors(a, b, prefix, a.length - suffix, b.length - suffix)) {
    region(a.slice(i, ai), b.slice(j, bj), push);
    push("equal", 1);
    i = ai + 1;
    j = bj + 1;
  }
  region(a.slice(i, a.length - suffix), b.slice(j, b.length - suffix), push);
  push("equal", suffix);
  return runs;
}

function region(a: string[], b: string[], push: (kind: LineRun["kind"], count: number) => void): void {
  if (a.length === 0 || b.length === 0) {
    push("removed", a.length);
    push("added", b.length);
    return;
  }
  for (const part of diffArrays(a, b)) push(part.added ? "added" : part.removed ? "removed" : "equal", part.count);
}

/** Index pairs of lines unique in both ranges, in increasing order on both sides (patience LIS). */
function anchors(
  a: readonly string[],
  b: readonly string[],
  from: number,
  aEnd: number,
  bEnd: number,
): [number, number][] {
  const seen = new Map<string, { inA: number; inB: number; at: number; bAt: number }>();
  for (let i = from; i < aEnd; i++) {
    const entry = seen.get(a[i]!);
    if (entry === undefined) seen.set(a[i]!, { inA: 1, inB: 0, at: i, bAt: -1 });
    else entry.inA++;
  }
  for (let j = from; j < bEnd; j++) {
    const entry = seen.get(b[j]!);
    if (entry === undefined) continue;
    entry.inB++;
    entry.bAt = j;
  }
  const pairs: [number, number][] = [];
  for (let i = from; i < aEnd; i++) {
    const entry = seen.get(a[i]!)!;
    if (entry.inA === 1 && entry.inB === 1) pairs.push([i, entry.bAt]);
  }
  return longestIncreasing(pairs);
}

/** Longest subsequence of `pairs` (increasing in the first index) that also increases in the second. */
function longestIncreasing(pairs: readonly [number, number][]): [number, number][] {
  const tails: number[] = [];
  const previous = new Array<number>(pairs.length);
  for (let k = 0; k < pairs.length; k++) {
    const value = pairs[k]![1];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]!]![1] < value) lo = mid + 1;
      else hi = mid;
    }
    previous[k] = lo > 0 ? tails[lo - 1]! : -1;
    tails[lo] = k;
  }
  const chain: [number, number][] = [];
  for (let k = tails.at(-1) ?? -1; k !== -1; k = previous[k]!) chain.push(pairs[k]!);
  return chain.reverse();
}
