import { joinContinuations } from "./continuations.js";
import type { ExportFormat } from "./format.js";

/** Splits on every line end the devices send (LF, CRLF, lone CR), so CRLF and LF input read alike. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/**
 * Logical lines of an export: physical lines with trailing whitespace trimmed, trailing blank
 * lines dropped (so a dangling continuation stays visible as the last line), and continued
 * lines joined. Shared by the completeness check and normalization so both see the same lines.
 */
export function logicalLines(text: string, format: ExportFormat): string[] {
  const physical = splitLines(text).map((line) => line.trimEnd());
  dropTrailingBlank(physical);
  return format.continuation === null ? physical : joinContinuations(physical, format.continuation);
}

/** Removes blank lines from the end of `lines`, in place. */
export function dropTrailingBlank(lines: string[]): void {
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
}

/** Index of the first line opening a configuration section, or `lines.length` when none does. */
export function firstSectionIndex(lines: readonly string[], format: ExportFormat): number {
  const index = lines.findIndex((line) => format.section.test(line));
  return index === -1 ? lines.length : index;
}

/** Index of the export header line (searched before the first section), or -1. */
export function headerIndex(lines: readonly string[], format: ExportFormat): number {
  const end = firstSectionIndex(lines, format);
  for (let i = 0; i < end; i++) if (format.header.test(lines[i]!)) return i;
  return -1;
}

/** The export header line's match (searched before the first section), or null. */
function findHeader(lines: readonly string[], format: ExportFormat): RegExpExecArray | null {
  const index = headerIndex(lines, format);
  return index === -1 ? null : format.header.exec(lines[index]!);
}

/** The software version named by the export header, or null. */
export function headerVersion(lines: readonly string[], format: ExportFormat): string | null {
  return findHeader(lines, format)?.groups?.version ?? null;
}

/** Whether an export header appears before the first section. */
export function hasHeader(lines: readonly string[], format: ExportFormat): boolean {
  return findHeader(lines, format) !== null;
}
