import type { ConfigEntity } from "../../changes/structured-change.js";
import { logicalLines, splitLines } from "../../export/lines.js";
import { ROUTEROS_FORMAT } from "../format.js";
import { redactRouterOsSecrets } from "../redact.js";
import { MenuTracker } from "./command-line.js";
import { commandEntity } from "./entity.js";

/**
 * Entities of a RouterOS export (full text, standard, terse or verbose, v6 or v7, wrapped or
 * not): one per command line, in export order, each placed in its menu path however far it is
 * from its section header. Comments and headers are not entities.
 *
 * `redact` (the driver's redaction) gives each entity's shown attributes. It is applied to the
 * whole text once; when it keeps the logical lines one to one (as RouterOS redaction does), lines
 * pair by index, otherwise each command line is redacted alone under its path.
 */
export function parseRouterOsEntities(
  fullText: string,
  redact: (text: string) => string = redactRouterOsSecrets,
): ConfigEntity[] {
  const lines = logicalLines(fullText, ROUTEROS_FORMAT);
  const redacted = splitLines(redact(lines.join("\n")));
  if (redacted.length === lines.length + 1 && redacted.at(-1) === "") redacted.pop();
  const aligned = redacted.length === lines.length;
  const full = new MenuTracker();
  const shown = new MenuTracker();
  const entities: ConfigEntity[] = [];
  for (let i = 0; i < lines.length; i++) {
    const placed = full.place(lines[i]!);
    const shownPlaced = aligned ? shown.place(redacted[i]!) : null;
    if (placed === null) continue;
    const shownCommand =
      shownPlaced !== null && shownPlaced.path === placed.path
        ? shownPlaced.command
        : redactAlone(placed.path, placed.command, redact);
    entities.push(commandEntity(placed.path, placed.command, shownCommand));
  }
  return entities;
}

/** `command` redacted as if it were the only line under its section header. */
function redactAlone(path: string, command: string, redact: (text: string) => string): string {
  const lines = splitLines(redact(`${path}\n${command}`));
  return lines.slice(1).join(" ").trim();
}
