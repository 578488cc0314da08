/**
 * Test support only (never imported by production code): the straightforward RouterOS redaction
 * that `redact.ts` replaced with a faster single-pass one (per-character copy, one value scan per
 * line), kept as the reference the fast version must equal on every input.
 */
import { joinContinuations } from "../export/continuations.js";
import { splitLines } from "../export/lines.js";
import { ROUTEROS_FORMAT } from "./format.js";
import { menuPath } from "./menu-path.js";
import { MIN_SEARCHED_SECRET_LENGTH, ROUTEROS_SECRETS, SECRET_MARKER, type SecretRules } from "./redact.js";
import { isLiteralValue, isSecretScriptName, SCRIPT_VARIABLE } from "./script-secrets.js";
import { embeddedValueEnd, innerValue, valueEnd } from "./value-extent.js";

const ATTRIBUTE = /[A-Za-z][A-Za-z0-9_-]*=/y;

/** What one pass over a line found: the line with secret slots masked, and the values seen. */
interface ScannedLine {
  readonly text: string;
  /** Literal values written under a secret attribute or a secret-named script variable/parameter. */
  readonly secrets: readonly string[];
  /** Values of ordinary (non-secret) attributes outside strings: names, addresses, comments. */
  readonly ordinary: readonly string[];
}

/**
 * Redacted projection of a normalized RouterOS export: every secret becomes {@link SECRET_MARKER}.
 *
 * 1. Slots: the value of every secret attribute (`rules.attributes` everywhere, `rules.scoped` in
 *    their menu), also as `name=value` inside script strings at any escape depth
 *    (`password=\"x\"`, `password=\\\"x\\\"`); inside scripts, also `:local`/`:global`/`:set`
 *    variables and parameters whose names say they hold a credential (`isSecretScriptName`).
 * 2. Values: every literal value found in step 1 is then masked wherever else it appears as a
 *    whole token (comment lines and other scripts included), in the forms it takes one escape
 *    level up or down, so `:local Pw "x"` ... `password=$Pw` and a value pasted into a comment go too.
 *
 * A secret value that is also the value of an ordinary attribute (a hotspot user whose password
 * equals its name, a password `yes`) is masked in its slot only: masking it everywhere would
 * rewrite names and references, and the value is printed in the clear as that name anyway.
 * Values shorter than {@link MIN_SEARCHED_SECRET_LENGTH} are masked in their slot only.
 * Code that computes a secret (`$var`, `[command]`) is left as it is. Pure and idempotent.
 */
export function referenceRedactRouterOsSecrets(normalizedText: string, rules: SecretRules = ROUTEROS_SECRETS): string {
  const scanned = scanExport(normalizedText, rules);
  const mask = valueMask(scanned);
  return scanned.map((line) => (mask === null ? line.text : line.text.replace(mask, SECRET_MARKER))).join("\n");
}

/** Scans every logical line (continuations joined: a no-op on normalized text, so a wrapped value cannot escape). */
function scanExport(normalizedText: string, rules: SecretRules): ScannedLine[] {
  const everywhere = new Set(rules.attributes);
  let menu = "";
  return joinContinuations(splitLines(normalizedText), ROUTEROS_FORMAT.continuation!).map((line) => {
    if (line.startsWith("#")) return { text: line, secrets: [], ordinary: [] };
    if (line.startsWith("/")) menu = menuPath(line);
    const here = rules.scoped.filter((s) => s.menu === menu).map((s) => s.attribute);
    return scanLine(line, (name) => everywhere.has(name) || here.includes(name));
  });
}

function partitionValues(scanned: readonly ScannedLine[]): { searched: string[]; slotOnly: string[] } {
  const ordinary = new Set(scanned.flatMap((line) => line.ordinary));
  const searched = new Set<string>();
  const slotOnly = new Set<string>();
  for (const value of scanned.flatMap((line) => line.secrets)) {
    const forms = escapeForms(value);
    if (value.length < MIN_SEARCHED_SECRET_LENGTH || forms.some((form) => ordinary.has(form))) slotOnly.add(value);
    else for (const form of forms) if (form.length >= MIN_SEARCHED_SECRET_LENGTH) searched.add(form);
  }
  return { searched: [...searched], slotOnly: [...slotOnly].filter((v) => !searched.has(v)) };
}

function valueMask(scanned: readonly ScannedLine[]): RegExp | null {
  const { searched } = partitionValues(scanned);
  if (searched.length === 0) return null;
  const alternatives = [...searched].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp(`(?<![A-Za-z0-9_])(?:${alternatives.join("|")})(?![A-Za-z0-9_])`, "g");
}

/** `value` as written, one escape level down (inside a script: `\"` → `"`) and one level up. */
function escapeForms(value: string): string[] {
  const down = value.replace(/\\(.)/g, "$1");
  const up = value.replace(/[\\"$]/g, "\\$&");
  return [...new Set([value, down, up])];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function scanLine(line: string, isSecretAttribute: (name: string) => boolean): ScannedLine {
  const secrets: string[] = [];
  const ordinary: string[] = [];
  let out = "";
  let inString = false;
  let atTokenStart = true;
  let i = 0;
  const maskSlot = (prefix: string, end: number, value: string): void => {
    out += prefix + SECRET_MARKER;
    if (isLiteralValue(value) && value !== SECRET_MARKER) secrets.push(value);
    i = end;
    atTokenStart = false;
  };
  while (i < line.length) {
    if (atTokenStart && inString) {
      SCRIPT_VARIABLE.lastIndex = i;
      const variable = SCRIPT_VARIABLE.exec(line);
      if (variable !== null && isSecretScriptName(variable[1]!)) {
        const start = i + variable[0].length;
        const end = embeddedValueEnd(line, start);
        const value = innerValue(line.slice(start, end));
        if (isLiteralValue(value)) {
          maskSlot(variable[0], end, value);
          continue;
        }
      }
    }
    if (atTokenStart) {
      ATTRIBUTE.lastIndex = i;
      const attribute = ATTRIBUTE.exec(line)?.[0];
      if (attribute !== undefined) {
        const name = attribute.slice(0, -1);
        const start = i + attribute.length;
        const end = inString ? embeddedValueEnd(line, start) : valueEnd(line, start);
        const value = innerValue(line.slice(start, end));
        if (isSecretAttribute(name.toLowerCase())) {
          maskSlot(attribute, end, value);
          continue;
        }
        if (inString && isSecretScriptName(name) && isLiteralValue(value)) {
          maskSlot(attribute, end, value);
          continue;
        }
        if (!inString && value !== "") ordinary.push(value);
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
  return { text: out, secrets, ordinary };
}
