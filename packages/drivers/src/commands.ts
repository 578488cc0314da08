import type { CommandRules, FallbackRule } from "./definition.js";
import type { CommandOutput } from "./driver.js";
import type { ExportFormat } from "./export/format.js";
import { eachLine, eachLineOfBytes, headerVersion } from "./export/lines.js";
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
 * The command to retry with on the same connection, or null. Two cases:
 *
 * - `output` shows the device rejected `command` as unsupported (a `fallbacks` rule): its `to`.
 * - `output` is an export whose header names a version for which the rules choose the default
 *   command, though `command` was not it: the version hint was stale (a v6 device upgraded to v7
 *   answers a plain `/export` without its secrets, silently), so run the default command.
 *
 * An output that holds an export header is never a rejection, whatever else it contains.
 */
export function selectFallbackCommand(
  rules: CommandRules,
  command: string,
  output: CommandOutput,
  format: ExportFormat,
): string | null {
  const lines = () => chain(eachLineOfBytes(output.stdout), eachLine(output.stderr));
  const version = headerVersion(lines(), format);
  if (version !== null) {
    const chosen = selectExportCommand(rules, version);
    return chosen === rules.default && chosen !== command.trim() ? chosen : null;
  }
  const rule = rules.fallbacks.find((candidate: FallbackRule) => candidate.from === command.trim());
  if (rule === undefined) return null;
  for (const line of lines()) {
    if (rule.rejectedWhen.some((pattern) => pattern.test(line.trim()))) return rule.to;
  }
  return null;
}

function* chain<T>(...parts: Iterable<T>[]): Generator<T> {
  for (const part of parts) yield* part;
}
