import { joinContinuations } from "../export/continuations.js";
import { splitLines } from "../export/lines.js";
import { ROUTEROS_FORMAT } from "./format.js";
import { menuPath } from "./menu-path.js";
import { ROUTEROS_SCOPED_SECRETS, ROUTEROS_SECRET_ATTRIBUTES, type ScopedSecret } from "./secrets.js";
import { embeddedValueEnd, valueEnd } from "./value-extent.js";

/** What every secret value becomes. Fixed: any value-derived marker (even a hash prefix) leaks weak secrets. */
export const SECRET_MARKER = "******";

export interface SecretRules {
  readonly attributes: readonly string[];
  readonly scoped: readonly ScopedSecret[];
}

export const ROUTEROS_SECRETS: SecretRules = {
  attributes: ROUTEROS_SECRET_ATTRIBUTES,
  scoped: ROUTEROS_SCOPED_SECRETS,
};

const ATTRIBUTE = /[a-z][a-z0-9-]*=/y;

/**
 * Replaces the value of every secret attribute in a normalized RouterOS export with
 * {@link SECRET_MARKER}: `password="a b"` → `password=******`. Applies `rules.attributes`
 * everywhere and `rules.scoped` in their menu (tracked from section lines, standard or terse).
 * Also redacts `name=value` pairs inside string literals (scripts, schedulers, comments),
 * best effort: a script that builds a secret from variables is not recognised.
 * Comment lines (`#`) are left alone. Continued lines are joined first (a no-op on normalized
 * text) so that a wrapped value cannot escape. Pure and idempotent.
 */
export function redactRouterOsSecrets(normalizedText: string, rules: SecretRules = ROUTEROS_SECRETS): string {
  const everywhere = new Set(rules.attributes);
  let menu = "";
  const lines = joinContinuations(splitLines(normalizedText), ROUTEROS_FORMAT.continuation!).map((line) => {
    if (line.startsWith("#")) return line;
    if (line.startsWith("/")) menu = menuPath(line);
    const here = rules.scoped.filter((s) => s.menu === menu).map((s) => s.attribute);
    return redactLine(line, (name) => everywhere.has(name) || here.includes(name));
  });
  return lines.join("\n");
}

function redactLine(line: string, isSecret: (name: string) => boolean): string {
  let out = "";
  let inString = false;
  let atTokenStart = true;
  let i = 0;
  while (i < line.length) {
    if (atTokenStart) {
      ATTRIBUTE.lastIndex = i;
      const attribute = ATTRIBUTE.exec(line)?.[0];
      if (attribute !== undefined && isSecret(attribute.slice(0, -1))) {
        const start = i + attribute.length;
        out += attribute + SECRET_MARKER;
        i = inString ? embeddedValueEnd(line, start) : valueEnd(line, start);
        atTokenStart = false;
        continue;
      }
    }
    const ch = line[i]!;
    if (inString && ch === "\\") {
      const escaped = line[i + 1] ?? "";
      out += ch + escaped;
      i += 2;
      atTokenStart = escaped !== "" && "nrt_".includes(escaped);
      continue;
    }
    if (ch === '"') inString = !inString;
    out += ch;
    i++;
    atTokenStart = /[\s[\]{}();"]/.test(ch);
  }
  return out;
}
