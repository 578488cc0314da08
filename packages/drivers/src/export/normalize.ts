import type { ExportFormat } from "./format.js";
import { dropTrailingBlank, firstSectionIndex, headerIndex, logicalLines } from "./lines.js";

/**
 * Normalizes an export so that equal configs give equal text (and sha256), and any meaningful
 * change gives a different one:
 *
 * - line ends unified to LF (CRLF and lone CR), trailing whitespace trimmed on every line;
 * - continued lines joined into one logical line (see `joinContinuations`: exact, so a change
 *   inside a wrapped line still shows, and a different wrap column does not);
 * - header-area lines rewritten by `format.volatileHeader` (the export time goes, the rest of the
 *   line, e.g. `by RouterOS 7.16.1`, stays), `format.volatileLines` dropped;
 * - with `format.headerFirst`, text the device printed before the export header (a banner, a
 *   notice on stdout) dropped;
 * - leading and trailing blank lines dropped; the result ends with a single LF ("" when empty).
 *
 * Everything else (software id, model, serial number, comments) is kept as sent. Idempotent.
 * Changing what this returns for any input requires bumping `NORMALIZATION_VERSION` in contracts.
 */
export function normalizeExport(text: string, format: ExportFormat): string {
  const all = logicalLines(text, format);
  const lines = format.headerFirst === true ? all.slice(Math.max(0, headerIndex(all, format))) : all;
  const headerEnd = firstSectionIndex(lines, format);
  for (let i = 0; i < headerEnd; i++) {
    for (const rewrite of format.volatileHeader) lines[i] = lines[i]!.replace(rewrite.pattern, rewrite.replacement);
  }
  const kept = lines.filter((line) => !format.volatileLines.some((pattern) => pattern.test(line)));
  dropTrailingBlank(kept);
  const start = kept.findIndex((line) => line !== "");
  return start === -1 ? "" : `${kept.slice(start).join("\n")}\n`;
}
