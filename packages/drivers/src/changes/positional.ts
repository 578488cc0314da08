import { diffArrays } from "diff";
import type { ConfigEntity } from "./structured-change.js";

/** A positional item with its 0-based index among its path's positional items. */
export interface Placed {
  readonly entity: ConfigEntity;
  readonly index: number;
}

export type PositionalMatch =
  | { readonly kind: "added"; readonly after: Placed }
  | { readonly kind: "removed"; readonly before: Placed }
  | { readonly kind: "modified" | "moved"; readonly before: Placed; readonly after: Placed };

/** Everything that makes two positional items the same item: their unredacted attributes, in order. */
export function contentKey(entity: ConfigEntity): string {
  return Object.entries(entity.attributes)
    .map(([name, value]) => `${name}=${value}`)
    .join("\u0000");
}

/**
 * Matches the positional items of one path (same content = same item) by a longest common
 * subsequence (jsdiff's Myers diff over content keys), so inserting one rule leaves every later
 * rule matched. Unmatched items then pair up:
 * 1. in an ordered path, an item removed in one place and an identical one added in another is `moved`;
 * 2. within one gap between matched runs, removed and added items pair in order as `modified`
 *    (an edited rule stays in its place);
 * 3. the rest are `removed` or `added`.
 * In an unordered path, identical items found elsewhere are not a change at all.
 */
export function matchPositional(
  before: readonly ConfigEntity[],
  after: readonly ConfigEntity[],
  ordered: boolean,
): PositionalMatch[] {
  const beforeKeys = before.map(contentKey);
  const afterKeys = after.map(contentKey);
  const removed: { placed: Placed; gap: number }[] = [];
  const added: { placed: Placed; gap: number }[] = [];
  let i = 0;
  let j = 0;
  let gap = 0;
  for (const part of diffArrays(beforeKeys, afterKeys)) {
    if (part.removed) {
      for (let k = 0; k < part.count; k++, i++) removed.push({ placed: { entity: before[i]!, index: i }, gap });
    } else if (part.added) {
      for (let k = 0; k < part.count; k++, j++) added.push({ placed: { entity: after[j]!, index: j }, gap });
    } else {
      i += part.count;
      j += part.count;
      gap++;
    }
  }
  const matches: PositionalMatch[] = [];
  const byContent = new Map<string, { placed: Placed; gap: number }[]>();
  for (const item of removed) {
    const key = beforeKeys[item.placed.index]!;
    const same = byContent.get(key);
    if (same === undefined) byContent.set(key, [item]);
    else same.push(item);
  }
  const taken = new Set<number>();
  const remainingAdded: { placed: Placed; gap: number }[] = [];
  for (const item of added) {
    const same = byContent.get(afterKeys[item.placed.index]!)?.find((r) => !taken.has(r.placed.index));
    if (same === undefined) {
      remainingAdded.push(item);
      continue;
    }
    taken.add(same.placed.index);
    if (ordered) matches.push({ kind: "moved", before: same.placed, after: item.placed });
  }
  const remainingRemoved = removed.filter((r) => !taken.has(r.placed.index));
  for (const item of remainingAdded) {
    const partner = remainingRemoved.find((r) => r.gap === item.gap && !taken.has(r.placed.index));
    if (partner === undefined) {
      matches.push({ kind: "added", after: item.placed });
      continue;
    }
    taken.add(partner.placed.index);
    matches.push({ kind: "modified", before: partner.placed, after: item.placed });
  }
  for (const item of remainingRemoved) {
    if (!taken.has(item.placed.index)) matches.push({ kind: "removed", before: item.placed });
  }
  return matches;
}
