import type { ConfigEntity } from "../../changes/structured-change.js";
import { dropTrailingBlank, logicalLines, splitLines } from "../../export/lines.js";
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
 * pair by index, otherwise each command line is redacted alone under its path. `redactedText`
 * (`redact(fullText)` computed by the caller) saves that pass; `memo` (shared with the parse of
 * another version) reuses the entity of an identical line.
 */
export function parseRouterOsEntities(
  fullText: string,
  redact: (text: string) => string = redactRouterOsSecrets,
  redactedText?: string,
  memo: Map<string, ConfigEntity> = new Map(),
): ConfigEntity[] {
  const lines = logicalLines(fullText, ROUTEROS_FORMAT);
  const redacted = splitLines(redactedText ?? redact(lines.join("\n")));
  dropTrailingBlank(redacted);
  const aligned = redacted.length === lines.length;
  const menus = new MenuTracker();
  const entities: ConfigEntity[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const placed = menus.place(line);
    if (placed === null) continue;
    const shownLine = aligned ? redacted[i]! : "";
    let shownCommand: string;
    if (shownLine === line) shownCommand = placed.command;
    else if (aligned && shownLine.startsWith(line.slice(0, placed.offset))) {
      shownCommand = shownLine.slice(placed.offset).trim();
    } else shownCommand = redactAlone(placed.path, placed.command, redact);
    const key = `${placed.path}\u0000${placed.command}${shownCommand === placed.command ? "" : `\u0000${shownCommand}`}`;
    let entity = memo.get(key);
    if (entity === undefined) {
      entity = commandEntity(placed.path, placed.command, shownCommand);
      memo.set(key, entity);
    }
    entities.push(entity);
  }
  return entities;
}

/** `command` redacted as if it were the only line under its section header. */
function redactAlone(path: string, command: string, redact: (text: string) => string): string {
  const lines = splitLines(redact(`${path}\n${command}`));
  return lines.slice(1).join(" ").trim();
}
