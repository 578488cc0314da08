/**
 * Release numbers of a software version string: `"6.49.10"` → `[6, 49, 10]`, `"6.45beta27"` →
 * `[6, 45]`, `"7.16.1 (stable)"` → `[7, 16, 1]`. Null when the string holds no number.
 * Pre-release tags are ignored on purpose: `7.0beta5` belongs to the 7 family.
 */
export function releaseNumbers(version: string): number[] | null {
  const match = /\d+(?:\.\d+)*/.exec(version);
  return match ? match[0].split(".").map(Number) : null;
}

/** Whether release `a` is lower than release `b`, comparing numbers left to right (missing = 0). */
export function isReleaseBelow(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff < 0;
  }
  return false;
}
