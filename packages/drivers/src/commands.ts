import type { CommandRules, FallbackRule } from "./definition.js";
import type { CommandOutput } from "./driver.js";
import type { ExportFormat } from "./export/format.js";
import { hasHeader, splitLines } from "./export/lines.js";
import { isReleaseBelow, releaseNumbers } from "./version.js";

/** The export command for a device whose last seen version is `version` (null: unknown). */
export function selectExportCommand(rules: CommandRules, version: string | null): string {
  const release = version === null ? null : releaseNumbers(version);
  if (release === null) return rules.default;
  for (const rule of rules.byVersion) {
    const below = releaseNumbers(rule.below);
    if (below !== null && isReleaseBelow(release, below)) return rule.command;
  }
  return rules.default;
}

/**
 * The command to retry with when `output` shows the device rejected `command`, or null. An
 * output that holds an export header is never a rejection, whatever else it contains.
 */
export function selectFallbackCommand(
  fallbacks: readonly FallbackRule[],
  command: string,
  output: CommandOutput,
  format: ExportFormat,
): string | null {
  const rule = fallbacks.find((candidate) => candidate.from === command.trim());
  if (rule === undefined) return null;
  const lines = [...splitLines(output.stdout.toString("utf8")), ...splitLines(output.stderr)];
  if (hasHeader(lines, format)) return null;
  const rejected = lines.some((line) => rule.rejectedWhen.some((pattern) => pattern.test(line.trim())));
  return rejected ? rule.to : null;
}
