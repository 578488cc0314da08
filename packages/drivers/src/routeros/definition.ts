import type { DriverDefinition } from "../definition.js";
import { parseRouterOsEntities } from "./entities/parse.js";
import { ROUTEROS_FORMAT } from "./format.js";
import { redactRouterOsSecrets } from "./redact.js";
import { ROUTEROS_SECRET_ATTRIBUTES } from "./secrets.js";

const SHOW_SENSITIVE = "/export show-sensitive";
const PLAIN = "/export";

/**
 * MikroTik RouterOS. v7 hides secrets from `/export` unless asked with `show-sensitive`; v6
 * prints them by default and rejects the argument (`expected end of command (line 1 column 9)`,
 * column 9 being where `show-sensitive` starts). So: v6 → `/export`; v7 and unknown →
 * `/export show-sensitive`, falling back to `/export` only on that exact rejection, since a v7
 * `/export` would silently store a config without its secrets.
 */
export const routerOsDefinition: DriverDefinition = {
  id: "routeros",
  commands: {
    default: SHOW_SENSITIVE,
    byVersion: [{ below: "7", command: PLAIN }],
    fallbacks: [
      {
        from: SHOW_SENSITIVE,
        rejectedWhen: [
          /^expected end of command \(line 1 column 9\)$/,
          /^bad command name show-sensitive \(line 1 column 9\)$/,
        ],
        to: PLAIN,
      },
    ],
  },
  format: ROUTEROS_FORMAT,
  secretAttributes: ROUTEROS_SECRET_ATTRIBUTES,
  redactSecrets: (normalizedText) => redactRouterOsSecrets(normalizedText),
  parseEntities: (fullText, redactedText, memo) =>
    parseRouterOsEntities(fullText, redactRouterOsSecrets, redactedText, memo),
};
