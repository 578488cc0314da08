import { diffEntities } from "./changes/diff-entities.js";
import type { ConfigEntity } from "./changes/structured-change.js";
import { selectExportCommand, selectFallbackCommand } from "./commands.js";
import type { DriverDefinition } from "./definition.js";
import type { DeviceDriver } from "./driver.js";
import { checkAndNormalizeExport, checkExport } from "./export/completeness.js";
import { ExportReader } from "./export/export-reader.js";
import { eachLine, headerVersion } from "./export/lines.js";
import { normalizeExport } from "./export/normalize.js";

/**
 * Builds a `DeviceDriver` from a definition: the one generic pipeline of command choice,
 * completeness check, normalization and version detection, parameterised by data.
 *
 * @example export const routerOsDriver = defineDriver(routerOsDefinition);
 */
export function defineDriver(definition: DriverDefinition): DeviceDriver {
  const { commands, format } = definition;
  return Object.freeze({
    id: definition.id,
    secretAttributes: Object.freeze([...definition.secretAttributes]),
    exportCommand: (softwareVersion: string | null) => selectExportCommand(commands, softwareVersion),
    fallbackCommand: (command, output) => selectFallbackCommand(commands, command, output, format),
    check: (output, limits) => checkExport(output, limits, format),
    checkAndNormalize: (output, limits) => checkAndNormalizeExport(output, limits, format),
    exportReader: (limits, options) => new ExportReader(format, limits, options),
    normalize: (text: string) => normalizeExport(text, format),
    softwareVersion: (text: string) => headerVersion(eachLine(text), format),
    redactSecrets: definition.redactSecrets,
    redact: definition.redactSecrets,
    structuredChanges: (beforeFull, afterFull, redacted) => {
      const memo = new Map<string, ConfigEntity>();
      return diffEntities(
        definition.parseEntities(beforeFull, redacted?.before, memo),
        definition.parseEntities(afterFull, redacted?.after, memo),
      );
    },
  } satisfies DeviceDriver);
}
