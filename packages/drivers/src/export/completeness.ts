import type { CheckedExport, CommandOutput, CompletenessResult, ExportLimits } from "../driver.js";
import { continues, endsInsideString } from "./continuations.js";
import { ExportReader, fail, isBlankLatin1, MAX_NON_PRINTABLE_RATIO } from "./export-reader.js";
import type { ExportFormat } from "./format.js";
import { eachLine, eachLogicalLine, hasHeader, longestLine } from "./lines.js";
import { anyOf } from "./patterns.js";
import { decodeUtf8, hasControlCharacter, nonPrintableRatio } from "./text-decoding.js";

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
 * {@link ExportReader} applies the same rules to output read chunk by chunk.
 */
export function checkExport(output: CommandOutput, limits: ExportLimits, format: ExportFormat): CompletenessResult {
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
  return checkText(decoded.text, format);
}

/**
 * {@link checkExport}, then `normalizeExport` of the checked text, sha256 and software version,
 * in one pass: an {@link ExportReader} fed the whole stdout at once (the collector feeds it chunk
 * by chunk as they arrive). The normalized text comes as hashed UTF-8 chunks, never one string.
 */
export function checkAndNormalizeExport(
  output: CommandOutput,
  limits: ExportLimits,
  format: ExportFormat,
): CheckedExport {
  const reader = new ExportReader(format, limits);
  reader.push(output.stdout);
  return reader.end(output);
}

function checkText(text: string, format: ExportFormat): CompletenessResult {
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
