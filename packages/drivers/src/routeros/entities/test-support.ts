import { menuPath } from "../menu-path.js";

/**
 * Test support for the entity parser and structured changes: independent views of an export's
 * logical lines (computed with `menuPath`, not the parser under test).
 */

/** Whether a logical line holds a configuration command (not blank, a comment or a bare section header). */
export function isCommandLine(line: string): boolean {
  if (line === "" || line.startsWith("#")) return false;
  if (!line.startsWith("/")) return true;
  const words = line
    .slice(1)
    .split(/[\s/]+/)
    .filter(Boolean);
  return `/${words.join(" ")}` !== menuPath(line);
}

/** Path of every logical line: its own when it starts with `/`, else that of the nearest section line above. */
export function linePaths(lines: readonly string[]): string[] {
  let current = "/";
  return lines.map((line) => {
    if (line.startsWith("/")) current = menuPath(line);
    return current;
  });
}

/** The same export in terse layout: every command line carries its path, no section headers. */
export function toTerse(lines: readonly string[]): string[] {
  const paths = linePaths(lines);
  return lines.flatMap((line, i) => {
    if (line.startsWith("#") || line === "") return [line];
    if (line.startsWith("/")) return isCommandLine(line) ? [line] : [];
    return [`${paths[i]} ${line}`];
  });
}
