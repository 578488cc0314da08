import type { ShownAttributes } from "./structured-change.js";

const MAX_VALUE = 60;
const MAX_SUMMARY = 240;

/** A value shortened for a one-line summary. */
function brief(value: string): string {
  return value.length <= MAX_VALUE ? value : `${value.slice(0, MAX_VALUE - 1)}…`;
}

/** `text` cut to the summary length. */
export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length <= MAX_SUMMARY ? flat : `${flat.slice(0, MAX_SUMMARY - 1)}…`;
}

/** `k=v k2=v2`, shortened, for added and removed items. */
export function describeAttributes(shown: ShownAttributes): string {
  return Object.entries(shown)
    .map(([name, value]) => (value === "" ? name : `${name}=${brief(value)}`))
    .join(" ");
}

/**
 * The attribute changes of a modified item: `mtu 1500 → 9000, +l2mtu=9014, -disabled=yes`, and
 * `password changed` for a secret whose shown (redacted) value cannot tell the difference.
 * `full` maps are compared, `shown` maps printed.
 */
export function describeModification(
  full: { readonly before: Readonly<Record<string, string>>; readonly after: Readonly<Record<string, string>> },
  shown: { readonly before: ShownAttributes; readonly after: ShownAttributes },
): string {
  const names = new Set([...Object.keys(full.before), ...Object.keys(full.after)]);
  const parts: string[] = [];
  for (const name of names) {
    const was = full.before[name];
    const now = full.after[name];
    if (was === now) continue;
    const shownWas = shown.before[name];
    const shownNow = shown.after[name];
    if (shownWas === undefined) parts.push(`+${name}=${brief(shownNow ?? "")}`);
    else if (shownNow === undefined) parts.push(`-${name}=${brief(shownWas)}`);
    else if (shownWas === shownNow) parts.push(`${name} changed`);
    else parts.push(`${name} ${brief(shownWas)} → ${brief(shownNow)}`);
  }
  return parts.join(", ");
}
