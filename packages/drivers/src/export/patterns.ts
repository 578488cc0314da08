const cache = new WeakMap<readonly RegExp[], (text: string) => boolean>();

/**
 * `(text) => patterns.some((p) => p.test(text))`, as one regular expression when that is exactly
 * equivalent (same flags, none stateful; no backreferences or named groups, which an alternation
 * would renumber or duplicate): one scan per line instead of one per pattern. Cached per array.
 */
export function anyOf(patterns: readonly RegExp[]): (text: string) => boolean {
  let test = cache.get(patterns);
  if (test !== undefined) return test;
  const flags = patterns[0]?.flags ?? "";
  const combinable =
    patterns.length > 1 &&
    !/[gy]/.test(flags) &&
    patterns.every((p) => p.flags === flags && !/\\[1-9k]|\(\?</.test(p.source.replace(/\(\?<[=!]/g, "")));
  if (combinable) {
    const one = new RegExp(patterns.map((p) => `(?:${p.source})`).join("|"), flags);
    test = (text) => one.test(text);
  } else {
    test = (text) => patterns.some((p) => p.test(text));
  }
  cache.set(patterns, test);
  return test;
}
