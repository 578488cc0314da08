import type { ExportFormat } from "./format.js";
import { eachLogicalLine } from "./lines.js";
import { anyOf } from "./patterns.js";

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
  let normalized = "";
  const normalizer = new ExportNormalizer(
    format,
    new StringLines((chunk) => {
      normalized += chunk;
    }),
  );
  for (const line of eachLogicalLine(text, format)) normalizer.line(line);
  normalizer.end();
  return normalized;
}

/**
 * {@link normalizeExport} fed one logical line at a time (see `eachLogicalLine`), handing its
 * output lines to `out` as it goes ({@link StringLines}, {@link ByteLines}): the pieces joined are
 * exactly what `normalizeExport` returns, and no whole copy of the normalized text is ever built.
 * Lets the completeness check normalize in the same pass over the lines.
 */
export class ExportNormalizer {
  readonly #format: ExportFormat;
  readonly #volatile: (line: string) => boolean;
  readonly #out: NormalizedText;
  #inHeaderArea = true;
  /**
   * With headerFirst, lines before the header are held until the header shows (they go) or the
   * first section does without a header before it (they stay).
   */
  #beforeHeader: string[] | null;

  constructor(format: ExportFormat, out: LineWriter) {
    this.#format = format;
    this.#volatile = anyOf(format.volatileLines);
    this.#out = new NormalizedText(out);
    this.#beforeHeader = format.headerFirst === true ? [] : null;
  }

  line(line: string): void {
    if (this.#beforeHeader !== null) {
      const section = this.#format.section.test(line);
      if (!section && !this.#format.header.test(line)) {
        this.#beforeHeader.push(line);
        return;
      }
      if (section) for (const held of this.#beforeHeader) this.#keep(held);
      this.#beforeHeader = null;
    }
    this.#keep(line);
  }

  /** Flushes what is left; call once, after the last line. */
  end(): void {
    for (const held of this.#beforeHeader ?? []) this.#keep(held);
    this.#beforeHeader = null;
    this.#out.end();
  }

  #keep(line: string): void {
    let kept = line;
    if (this.#inHeaderArea && this.#format.section.test(kept)) this.#inHeaderArea = false;
    if (this.#inHeaderArea)
      for (const rewrite of this.#format.volatileHeader) kept = kept.replace(rewrite.pattern, rewrite.replacement);
    if (!this.#volatile(kept)) this.#out.add(kept);
  }
}

/** Where normalized lines go, each to be followed by LF; `flush` hands on what it holds. */
export interface LineWriter {
  push(line: string): void;
  flush(): void;
}

/** Leading and trailing blank lines left out, the rest handed to a {@link LineWriter}. */
class NormalizedText {
  readonly #out: LineWriter;
  #blanks = 0;
  #started = false;

  constructor(out: LineWriter) {
    this.#out = out;
  }

  add(line: string): void {
    if (line === "") {
      if (this.#started) this.#blanks++;
      return;
    }
    this.#started = true;
    for (; this.#blanks > 0; this.#blanks--) this.#out.push("");
    this.#out.push(line);
  }

  end(): void {
    this.#out.flush();
  }
}

/** Lines joined with LF, each ending in LF, handed on as flat strings of up to {@link CHUNK_LINES} lines. */
export class StringLines implements LineWriter {
  readonly #onChunk: (chunk: string) => void;
  #chunk: string[] = [];

  constructor(onChunk: (chunk: string) => void) {
    this.#onChunk = onChunk;
  }

  push(line: string): void {
    this.#chunk.push(line);
    if (this.#chunk.length >= CHUNK_LINES) this.flush();
  }

  flush(): void {
    if (this.#chunk.length === 0) return;
    this.#onChunk(`${this.#chunk.join("\n")}\n`);
    this.#chunk = [];
  }
}

const CHUNK_LINES = 2048;

/**
 * The UTF-8 bytes of the same text, written line by line into Buffers of about
 * {@link CHUNK_BYTES} and handed on full: no intermediate joined string.
 */
export class ByteLines implements LineWriter {
  readonly #onChunk: (chunk: Buffer) => void;
  #buffer = Buffer.allocUnsafe(0);
  #used = 0;

  constructor(onChunk: (chunk: Buffer) => void) {
    this.#onChunk = onChunk;
  }

  push(line: string): void {
    // A UTF-16 code unit is at most 3 UTF-8 bytes; +1 for the LF.
    const most = line.length * 3 + 1;
    if (this.#buffer.length - this.#used < most) {
      this.flush();
      this.#buffer = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, most));
    }
    this.#used += this.#buffer.write(line, this.#used, "utf8");
    this.#buffer[this.#used++] = 0x0a;
  }

  flush(): void {
    if (this.#used === 0) return;
    this.#onChunk(this.#buffer.subarray(0, this.#used));
    this.#buffer = this.#buffer.subarray(this.#used);
    this.#used = 0;
  }
}

const CHUNK_BYTES = 64 * 1024;
