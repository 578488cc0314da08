import type { ExportFormat } from "./format.js";
import { eachLogicalLine } from "./lines.js";

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
  const out = new NormalizedText();
  let inHeaderArea = true;
  const keep = (line: string): void => {
    let kept = line;
    if (inHeaderArea && format.section.test(kept)) inHeaderArea = false;
    if (inHeaderArea)
      for (const rewrite of format.volatileHeader) kept = kept.replace(rewrite.pattern, rewrite.replacement);
    if (!format.volatileLines.some((pattern) => pattern.test(kept))) out.add(kept);
  };
  // With headerFirst, lines before the header are held until the header shows (they go) or the
  // first section does without a header before it (they stay).
  let beforeHeader: string[] | null = format.headerFirst === true ? [] : null;
  for (const line of eachLogicalLine(text, format)) {
    if (beforeHeader !== null) {
      const section = format.section.test(line);
      if (!section && !format.header.test(line)) {
        beforeHeader.push(line);
        continue;
      }
      if (section) for (const held of beforeHeader) keep(held);
      beforeHeader = null;
    }
    keep(line);
  }
  for (const held of beforeHeader ?? []) keep(held);
  return out.text();
}

/**
 * Lines joined with LF, each ending in LF, leading and trailing blank lines left out. Built in
 * flat chunks and returned as their concatenation: V8 flattens it when first read, by which time
 * the export it came from is usually gone, so the whole text is never held three times.
 */
class NormalizedText {
  #text = "";
  #chunk: string[] = [];
  #blanks = 0;
  #started = false;

  add(line: string): void {
    if (line === "") {
      if (this.#started) this.#blanks++;
      return;
    }
    this.#started = true;
    for (; this.#blanks > 0; this.#blanks--) this.#push("");
    this.#push(line);
  }

  text(): string {
    this.#flush();
    return this.#text;
  }

  #push(line: string): void {
    this.#chunk.push(line);
    if (this.#chunk.length >= CHUNK_LINES) this.#flush();
  }

  #flush(): void {
    if (this.#chunk.length === 0) return;
    this.#text += `${this.#chunk.join("\n")}\n`;
    this.#chunk = [];
  }
}

const CHUNK_LINES = 2048;
