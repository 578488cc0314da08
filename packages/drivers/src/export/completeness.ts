import { createHash } from "node:crypto";
import type { CheckedExport, CommandOutput, CompletenessResult, ExportLimits } from "../driver.js";
import { continues, endsInsideString } from "./continuations.js";
import type { ExportFormat } from "./format.js";
import { eachLine, eachLogicalLine, hasHeader, headerVersion, longestLine } from "./lines.js";
import { ByteLines, ExportNormalizer } from "./normalize.js";
import { anyOf } from "./patterns.js";
import { decodeUtf8, hasControlCharacter, nonPrintableRatio } from "./text-decoding.js";

/** Above this share of non-printable characters the output is binary noise, not an export. */
const MAX_NON_PRINTABLE_RATIO = 0.1;

type Failure = Extract<CompletenessResult, { ok: false }>;

function fail(code: Failure["code"], reason: string): Failure {
  return { ok: false, code, reason };
}

/**
 * Decides whether one command output is a complete export, in this order:
 *
 * 1. stdout over `limits.maxBytes` → EXPORT_TOO_LARGE (the runtime may stop reading there).
 * 2. No exit status (connection dropped): EXPORT_TRUNCATED when stdout already holds an export
 *    header (a partial export: nothing proves it ended), else COMMAND_FAILED.
 * 3. Non-zero exit status, or a device error line on stdout or stderr → COMMAND_FAILED.
 * 4. Empty → EXPORT_TRUNCATED. A multi-byte character cut at the very end → EXPORT_TRUNCATED.
 * 5. Invalid UTF-8, control bytes (NUL included) other than tab/CR/LF, mostly non-printable text,
 *    an over-long line, or no export header → EXPORT_INVALID.
 * 6. No final line end (when `format.finalLineEnd`), no section line, a last line ending in a
 *    dangling continuation, or inside a quoted value → EXPORT_TRUNCATED.
 *
 * A cut that falls exactly between two complete lines cannot be seen in the text, and devices
 * have been seen ending a cut export with exit status 0: the collector reads such exports a
 * second time (see the collector's `collect-export.ts`). Reasons are fixed phrases and numbers,
 * never output text.
 *
 * `onLogicalLine` sees every logical line of the text as the check reads them (see
 * {@link checkAndNormalizeExport}); only a check that then succeeds has seen them all.
 */
export function checkExport(
  output: CommandOutput,
  limits: ExportLimits,
  format: ExportFormat,
  onLogicalLine?: (line: string) => void,
): CompletenessResult {
  const { stdout, stderr, exitCode } = output;
  if (stdout.length > limits.maxBytes) {
    return fail("EXPORT_TOO_LARGE", `export is ${stdout.length} bytes, over the ${limits.maxBytes}-byte limit`);
  }
  const decoded = decodeUtf8(stdout);
  // What the early rules read: the same text when the bytes are valid UTF-8 (BOM kept, as
  // `toString` keeps it), else a lenient decoding. One decoding of the export in the common case.
  const lenient = decoded.kind === "text" ? decoded.withBom : stdout.toString("utf8");
  if (exitCode === null) {
    return hasHeader(eachLine(lenient), format)
      ? fail("EXPORT_TRUNCATED", "connection closed before the export finished")
      : fail("COMMAND_FAILED", "command ended without an exit status");
  }
  if (exitCode !== 0) return fail("COMMAND_FAILED", `command exited with status ${exitCode}`);
  if (hasErrorLine(eachLine(lenient), format) || hasErrorLine(eachLine(stderr), format)) {
    return fail("COMMAND_FAILED", "device rejected the command");
  }
  if (isBlankLatin1(stdout)) return fail("EXPORT_TRUNCATED", "empty export");
  if (decoded.kind === "cut-character") return fail("EXPORT_TRUNCATED", "export ends inside a character");
  if (decoded.kind === "invalid") return fail("EXPORT_INVALID", "export is not valid UTF-8");
  return checkText(decoded.text, format, onLogicalLine);
}

/**
 * {@link checkExport}, then `normalizeExport` of the checked text, sha256 and software version,
 * in one pass over the lines: the normalized text is built as UTF-8 chunks and hashed as they
 * come, never as one string (the same bytes, hash and version as the three steps one by one).
 */
export function checkAndNormalizeExport(
  output: CommandOutput,
  limits: ExportLimits,
  format: ExportFormat,
): CheckedExport {
  const chunks: Buffer[] = [];
  let bytes = 0;
  const hash = createHash("sha256");
  const normalizer = new ExportNormalizer(
    format,
    new ByteLines((chunk) => {
      chunks.push(chunk);
      bytes += chunk.length;
      hash.update(chunk);
    }),
  );
  const result = checkExport(output, limits, format, (line) => normalizer.line(line));
  if (!result.ok) return result;
  normalizer.end();
  return {
    ok: true,
    normalized: { chunks, bytes, sha256: hash.digest("hex") },
    softwareVersion: headerVersion(eachLine(result.text), format),
  };
}

/** `bytes.toString("latin1").trim() === ""`, without the copy. */
function isBlankLatin1(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (!LATIN1_WHITESPACE.has(byte)) return false;
  return true;
}

/** The Latin-1 characters `String.prototype.trim` removes: tab, LF, VT, FF, CR, space, NBSP. */
const LATIN1_WHITESPACE = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0]);

function checkText(
  text: string,
  format: ExportFormat,
  onLogicalLine: ((line: string) => void) | undefined,
): CompletenessResult {
  if (hasControlCharacter(text)) return fail("EXPORT_INVALID", "export contains control bytes");
  if (nonPrintableRatio(text) > MAX_NON_PRINTABLE_RATIO)
    return fail("EXPORT_INVALID", "export is mostly non-printable");
  if (longestLine(text) > format.maxLineLength) {
    return fail("EXPORT_INVALID", `export has a line over ${format.maxLineLength} characters`);
  }
  if (!hasHeader(eachLine(text), format)) return fail("EXPORT_INVALID", "export header missing");
  if (format.finalLineEnd === true && !text.endsWith("\n") && !text.endsWith("\r")) {
    return fail("EXPORT_TRUNCATED", "export does not end with a line end");
  }
  let section = false;
  let last = "";
  for (const line of eachLogicalLine(text, format)) {
    section ||= format.section.test(line);
    last = line;
    onLogicalLine?.(line);
  }
  if (!section) return fail("EXPORT_TRUNCATED", "export has no configuration section");
  if (format.continuation !== null && continues(last, format.continuation)) {
    return fail("EXPORT_TRUNCATED", "export ends inside a continued line");
  }
  if (format.stringLiteral !== null && endsInsideString(last, format.stringLiteral)) {
    return fail("EXPORT_TRUNCATED", "export ends inside a quoted value");
  }
  return { ok: true, text };
}

function hasErrorLine(lines: Iterable<string>, format: ExportFormat): boolean {
  const isError = anyOf(format.errorLines);
  for (const line of lines) if (isError(line)) return true;
  return false;
}
