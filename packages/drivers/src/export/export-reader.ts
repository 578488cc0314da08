import { createHash } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import type { CheckedExport, CommandOutput, CompletenessResult, ExportLimits } from "../driver.js";
import { continues, endsInsideString, joinContinued } from "./continuations.js";
import type { ExportFormat } from "./format.js";
import { eachLine, LineEnds } from "./lines.js";
import { ByteLines, ExportNormalizer } from "./normalize.js";
import { anyOf } from "./patterns.js";
import { hasControlCharacter, nonPrintableCount, Utf8Validator } from "./text-decoding.js";

/** Above this share of non-printable characters the output is binary noise, not an export. */
export const MAX_NON_PRINTABLE_RATIO = 0.1;

type Failure = Extract<CompletenessResult, { ok: false }>;

export function fail(code: Failure["code"], reason: string): Failure {
  return { ok: false, code, reason };
}

/** How a command ended: what the check needs besides stdout. */
export type CommandEnd = Pick<CommandOutput, "stderr" | "exitCode">;

export interface ExportReaderOptions {
  /**
   * False: the normalized text is hashed and counted but not kept (`chunks` is empty). For a read
   * only compared with another by sha256 and size.
   */
  readonly keepNormalized?: boolean | undefined;
  /**
   * Given: each normalized UTF-8 chunk is handed over as it is made (in order, never reused), not
   * kept (`chunks` is empty). For a caller that compresses the text while it is read. The chunks
   * of an export the check refuses at `end` have been handed over too: the caller drops them.
   */
  readonly onNormalized?: ((chunk: Buffer) => void) | undefined;
}

/**
 * `checkExport` + `normalizeExport` + sha256 + software version of one command's stdout, fed
 * chunk by chunk as it arrives (`push`), with the verdict at `end`: exactly what
 * `checkAndNormalizeExport` of the chunks joined gives (same rules, order, codes and reasons; see
 * `checkExport`). Neither the raw stdout nor its decoded text is ever held whole: each chunk is
 * decoded (`StringDecoder`, so a character split between chunks reads right), its complete lines
 * are checked and normalized at once, and only the unfinished last line is kept. Everything the
 * rules need of the whole text (header before the first section, error lines, longest line,
 * share of non-printable characters, last logical line) is tracked as the lines go by. Over
 * `limits.maxBytes`, it stops decoding and only counts.
 *
 * @example
 * const reader = new ExportReader(format, { maxBytes });
 * stream.on("data", (chunk) => reader.push(chunk));
 * const result = reader.end({ stderr, exitCode });
 */
export class ExportReader {
  readonly #format: ExportFormat;
  readonly #limits: ExportLimits;
  readonly #isError: (line: string) => boolean;
  #bytes = 0;
  #blank = true;
  readonly #utf8 = new Utf8Validator();
  readonly #decoder = new StringDecoder("utf8");
  /** Whether the text starts with a BOM; null until its first character is known. */
  #bom: boolean | null = null;
  #firstLine = true;
  #partial: string[] = [];
  /** The last piece ended with CR: an LF starting the next one belongs to that line end. */
  #afterCr = false;
  #textLength = 0;
  #nonPrintable = 0;
  #control = false;
  #lastChar = "";
  #longestLine = 0;
  #errorLine = false;
  /** Header search in the text as decoded (BOM kept) and in the checked text (BOM dropped). */
  readonly #lenientHeader: HeaderSearch;
  readonly #header: HeaderSearch;
  #blankLines = 0;
  #pending: string | null = null;
  #section = false;
  #lastLogical = "";
  #normalizer: ExportNormalizer | null;
  #chunks: Buffer[] = [];
  #normalizedBytes = 0;
  readonly #hash = createHash("sha256");

  constructor(format: ExportFormat, limits: ExportLimits, options: ExportReaderOptions = {}) {
    this.#format = format;
    this.#limits = limits;
    this.#isError = anyOf(format.errorLines);
    this.#lenientHeader = new HeaderSearch(format);
    this.#header = new HeaderSearch(format);
    const keep = options.keepNormalized !== false && options.onNormalized === undefined;
    const handOver = options.onNormalized;
    this.#normalizer = new ExportNormalizer(
      format,
      new ByteLines((chunk) => {
        if (keep) this.#chunks.push(chunk);
        else handOver?.(chunk);
        this.#normalizedBytes += chunk.length;
        this.#hash.update(chunk);
      }),
    );
  }

  /** Stdout bytes read so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Reads the next stdout chunk; nothing of it is kept but an unfinished last line. */
  push(chunk: Buffer): void {
    this.#bytes += chunk.length;
    if (this.#normalizer === null) return;
    if (this.#bytes > this.#limits.maxBytes) {
      this.#normalizer = null;
      this.#chunks = [];
      this.#partial = [];
      return;
    }
    if (this.#blank) this.#blank = isBlankLatin1(chunk);
    this.#utf8.push(chunk);
    this.#text(this.#decoder.write(chunk));
  }

  /** The verdict on everything pushed, once the command has ended. Call once. */
  end(command: CommandEnd): CheckedExport {
    const normalizer = this.#normalizer;
    if (normalizer === null) {
      return fail("EXPORT_TOO_LARGE", `export is ${this.#bytes} bytes, over the ${this.#limits.maxBytes}-byte limit`);
    }
    this.#text(this.#decoder.end());
    this.#physical(this.#partial.join(""));
    this.#partial = [];
    if (this.#pending !== null) this.#logical(this.#pending);
    const failure = this.#failure(command);
    if (failure !== null) return failure;
    normalizer.end();
    return {
      ok: true,
      normalized: { chunks: this.#chunks, bytes: this.#normalizedBytes, sha256: this.#hash.digest("hex") },
      softwareVersion: this.#header.match?.groups?.version ?? null,
    };
  }

  /** The first rule the output breaks, in `checkExport`'s order, or null. */
  #failure({ stderr, exitCode }: CommandEnd): Failure | null {
    const format = this.#format;
    if (exitCode === null) {
      return this.#lenientHeader.match !== null
        ? fail("EXPORT_TRUNCATED", "connection closed before the export finished")
        : fail("COMMAND_FAILED", "command ended without an exit status");
    }
    if (exitCode !== 0) return fail("COMMAND_FAILED", `command exited with status ${exitCode}`);
    if (this.#errorLine || [...eachLine(stderr)].some((line) => this.#isError(line))) {
      return fail("COMMAND_FAILED", "device rejected the command");
    }
    if (this.#blank) return fail("EXPORT_TRUNCATED", "empty export");
    const decoded = this.#utf8.end();
    if (decoded === "cut-character") return fail("EXPORT_TRUNCATED", "export ends inside a character");
    if (decoded === "invalid") return fail("EXPORT_INVALID", "export is not valid UTF-8");
    if (this.#control) return fail("EXPORT_INVALID", "export contains control bytes");
    if (this.#textLength > 0 && this.#nonPrintable / this.#textLength > MAX_NON_PRINTABLE_RATIO) {
      return fail("EXPORT_INVALID", "export is mostly non-printable");
    }
    if (this.#longestLine > format.maxLineLength) {
      return fail("EXPORT_INVALID", `export has a line over ${format.maxLineLength} characters`);
    }
    if (this.#header.match === null) return fail("EXPORT_INVALID", "export header missing");
    if (format.finalLineEnd === true && this.#lastChar !== "\n" && this.#lastChar !== "\r") {
      return fail("EXPORT_TRUNCATED", "export does not end with a line end");
    }
    if (!this.#section) return fail("EXPORT_TRUNCATED", "export has no configuration section");
    if (format.continuation !== null && continues(this.#lastLogical, format.continuation)) {
      return fail("EXPORT_TRUNCATED", "export ends inside a continued line");
    }
    if (format.stringLiteral !== null && endsInsideString(this.#lastLogical, format.stringLiteral)) {
      return fail("EXPORT_TRUNCATED", "export ends inside a quoted value");
    }
    return null;
  }

  /** A piece of decoded text (BOM kept): text-wide counts, then its complete physical lines. */
  #text(piece: string): void {
    if (piece === "") return;
    const first = this.#bom === null;
    this.#bom ??= piece.startsWith(BOM);
    const checked = first && this.#bom ? piece.slice(1) : piece;
    this.#textLength += checked.length;
    if (checked !== "") {
      this.#nonPrintable += nonPrintableCount(checked);
      this.#control ||= hasControlCharacter(checked);
      this.#lastChar = checked[checked.length - 1]!;
    }
    let start = 0;
    if (this.#afterCr) {
      this.#afterCr = false;
      if (piece[0] === "\n") start = 1;
    }
    const ends = new LineEnds(piece);
    for (;;) {
      const i = ends.next(start);
      if (i === -1) break;
      this.#partial.push(piece.slice(start, i));
      this.#physical(this.#partial.length === 1 ? this.#partial[0]! : this.#partial.join(""));
      this.#partial = [];
      if (i + 1 === piece.length) {
        this.#afterCr = piece[i] === "\r";
        return;
      }
      start = ends.isCrlf(i) ? i + 2 : i + 1;
    }
    if (start < piece.length) this.#partial.push(piece.slice(start));
  }

  /** One physical line, as `eachLine` of the whole decoded text gives it. */
  #physical(decoded: string): void {
    const line = this.#firstLine && this.#bom === true ? decoded.slice(1) : decoded;
    this.#firstLine = false;
    this.#longestLine = Math.max(this.#longestLine, line.length);
    this.#errorLine ||= this.#isError(decoded);
    this.#lenientHeader.line(decoded);
    this.#header.line(line);
    const trimmed = line.trimEnd();
    // Blank lines count only when a line with text follows: trailing ones are dropped (`eachLogicalLine`).
    if (trimmed === "") {
      this.#blankLines++;
      return;
    }
    for (; this.#blankLines > 0; this.#blankLines--) this.#joined("");
    this.#joined(trimmed);
  }

  /** Joins continued physical lines (trimmed) into logical lines, as `eachLogicalLine` does. */
  #joined(line: string): void {
    const rule = this.#format.continuation;
    const pending = this.#pending === null ? line : joinContinued(this.#pending, line, rule!);
    if (rule === null || !continues(pending, rule)) {
      this.#pending = null;
      this.#logical(pending);
    } else {
      this.#pending = pending;
    }
  }

  #logical(line: string): void {
    this.#section ||= this.#format.section.test(line);
    this.#lastLogical = line;
    this.#normalizer?.line(line);
  }
}

const BOM = "\uFEFF";

/** The export header's match among lines read one by one, searched before the first section only. */
class HeaderSearch {
  readonly #format: ExportFormat;
  #done = false;
  match: RegExpExecArray | null = null;

  constructor(format: ExportFormat) {
    this.#format = format;
  }

  line(line: string): void {
    if (this.#done) return;
    if (this.#format.section.test(line)) {
      this.#done = true;
      return;
    }
    this.match = this.#format.header.exec(line);
    this.#done = this.match !== null;
  }
}

/** `bytes.toString("latin1").trim() === ""`, without the copy. */
export function isBlankLatin1(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (!LATIN1_WHITESPACE.has(byte)) return false;
  return true;
}

/** The Latin-1 characters `String.prototype.trim` removes: tab, LF, VT, FF, CR, space, NBSP. */
const LATIN1_WHITESPACE = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0]);
