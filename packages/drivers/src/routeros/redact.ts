import { joinContinuations } from "../export/continuations.js";
import { splitLines } from "../export/lines.js";
import { ROUTEROS_FORMAT } from "./format.js";
import { menuPath } from "./menu-path.js";
import { isLiteralValue, isSecretScriptName, SCRIPT_VARIABLE } from "./script-secrets.js";
import { ROUTEROS_SCOPED_SECRETS, ROUTEROS_SECRET_ATTRIBUTES, type ScopedSecret } from "./secrets.js";
import { embeddedValueEnd, innerValue, valueEnd } from "./value-extent.js";

/** What every secret value becomes. Fixed: any value-derived marker (even a hash prefix) leaks weak secrets. */
export const SECRET_MARKER = "******";

/**
 * A secret value shorter than this is masked where it is written (its attribute or variable) but
 * not searched for elsewhere: every `1`, `ab` or `yes` of the config would vanish from diffs.
 */
export const MIN_SEARCHED_SECRET_LENGTH = 4;

export interface SecretRules {
  readonly attributes: readonly string[];
  readonly scoped: readonly ScopedSecret[];
}

export const ROUTEROS_SECRETS: SecretRules = {
  attributes: ROUTEROS_SECRET_ATTRIBUTES,
  scoped: ROUTEROS_SCOPED_SECRETS,
};

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
export function redactRouterOsSecrets(normalizedText: string, rules: SecretRules = ROUTEROS_SECRETS): string {
  const scanned = scanExport(normalizedText, rules);
  const mask = valueMask(scanned);
  const text = scanned.map((line) => line.text).join("\n");
  // One scan of the whole text: a value never holds a line break and `\n` is not a word
  // character, so this masks exactly what a scan of each line would.
  return mask === null ? text : text.replace(mask, SECRET_MARKER);
}

/**
 * The literal secret values of a normalized export: `searched` are masked wherever they appear
 * (in every escape form), `slotOnly` only where they are written (ordinary names, short values).
 */
export function routerOsSecretValues(
  normalizedText: string,
  rules: SecretRules = ROUTEROS_SECRETS,
): { readonly searched: readonly string[]; readonly slotOnly: readonly string[] } {
  return partitionValues(scanExport(normalizedText, rules));
}

/** Scans every logical line (continuations joined: a no-op on normalized text, so a wrapped value cannot escape). */
function scanExport(normalizedText: string, rules: SecretRules): ScannedLine[] {
  const everywhere = new Set(rules.attributes);
  const scopedByMenu = new Map<string, Set<string>>();
  for (const { menu, attribute } of rules.scoped) {
    const attributes = scopedByMenu.get(menu) ?? new Set<string>();
    attributes.add(attribute);
    scopedByMenu.set(menu, attributes);
  }
  let here: ReadonlySet<string> | undefined = scopedByMenu.get("");
  const isSecretAttribute = (name: string): boolean => everywhere.has(name) || (here?.has(name) ?? false);
  return joinContinuations(splitLines(normalizedText), ROUTEROS_FORMAT.continuation!).map((line) => {
    if (line.startsWith("#")) return { text: line, secrets: NONE, ordinary: NONE };
    if (line.startsWith("/")) here = scopedByMenu.get(menuPath(line));
    return scanLine(line, isSecretAttribute);
  });
}

function partitionValues(scanned: readonly ScannedLine[]): { searched: string[]; slotOnly: string[] } {
  const formsOf = new Map<string, string[]>();
  for (const line of scanned)
    for (const value of line.secrets) if (!formsOf.has(value)) formsOf.set(value, escapeForms(value));
  // Which forms are also ordinary values: a check of each ordinary value against the few forms
  // (by length first), not a set of every ordinary value of the export.
  const forms = new Set([...formsOf.values()].flat());
  const lengths = new Set([...forms].map((form) => form.length));
  const ordinary = new Set<string>();
  if (forms.size > 0) {
    for (const line of scanned) {
      for (const value of line.ordinary) if (lengths.has(value.length) && forms.has(value)) ordinary.add(value);
    }
  }
  const searched = new Set<string>();
  const slotOnly = new Set<string>();
  for (const [value, valueForms] of formsOf) {
    if (value.length < MIN_SEARCHED_SECRET_LENGTH || valueForms.some((form) => ordinary.has(form))) slotOnly.add(value);
    else for (const form of valueForms) if (form.length >= MIN_SEARCHED_SECRET_LENGTH) searched.add(form);
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

const NONE: readonly string[] = Object.freeze([]);

/** Characters after which a new token starts (`/[\s[\]{}();"]/` for ASCII; others go to the regex). */
const TOKEN_START = /[\s[\]{}();"]/;
const ASCII_TOKEN_START = new Uint8Array(128).map((_, code) => (TOKEN_START.test(String.fromCharCode(code)) ? 1 : 0));
const startsToken = (code: number): boolean =>
  code < 128 ? ASCII_TOKEN_START[code] === 1 : TOKEN_START.test(String.fromCharCode(code));
/**
 * Where the `=` of an attribute starting at `start` is (`/[A-Za-z][A-Za-z0-9_-]*=/y`, matched by
 * hand: no match array per token), or -1.
 */
function attributeEquals(line: string, start: number): number {
  if (!isLetter(line.charCodeAt(start))) return -1;
  let j = start + 1;
  while (j < line.length) {
    const code = line.charCodeAt(j);
    if (code === EQUALS) return j;
    if (!(isLetter(code) || (code >= 0x30 && code <= 0x39) || code === 0x5f || code === 0x2d)) return -1;
    j++;
  }
  return -1;
}
const EQUALS = 0x3d;
/** Whether `code` can start an attribute name (`[A-Za-z]`). */
const isLetter = (code: number): boolean => (code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * One pass over a logical line: masks secret slots, collects secret and ordinary values. The
 * line is copied in slices between masked slots, never character by character.
 */
function scanLine(line: string, isSecretAttribute: (name: string) => boolean): ScannedLine {
  // Without `=` no attribute matches, without `"` no string (so no script variable) starts.
  if (!line.includes("=") && !line.includes('"')) return { text: line, secrets: NONE, ordinary: NONE };
  const secrets: string[] = [];
  const ordinary: string[] = [];
  let out = "";
  let copied = 0;
  let inString = false;
  let atTokenStart = true;
  let i = 0;
  const length = line.length;
  /** Masks the value of the slot that starts at `i` after `prefixLength` characters and ends at `end`. */
  const maskSlot = (prefixLength: number, end: number, value: string): void => {
    out += line.slice(copied, i + prefixLength) + SECRET_MARKER;
    if (isLiteralValue(value) && value !== SECRET_MARKER) secrets.push(value);
    i = end;
    copied = end;
    atTokenStart = false;
  };
  while (i < length) {
    const code = line.charCodeAt(i);
    if (atTokenStart && inString && code === COLON) {
      SCRIPT_VARIABLE.lastIndex = i;
      const variable = SCRIPT_VARIABLE.exec(line);
      if (variable !== null && isSecretScriptName(variable[1]!)) {
        const start = i + variable[0].length;
        const end = embeddedValueEnd(line, start);
        const value = innerValue(line.slice(start, end));
        if (isLiteralValue(value)) {
          maskSlot(variable[0].length, end, value);
          continue;
        }
      }
    }
    if (atTokenStart && isLetter(code)) {
      const equals = attributeEquals(line, i);
      if (equals >= 0) {
        const name = line.slice(i, equals);
        const start = equals + 1;
        const end = inString ? embeddedValueEnd(line, start) : valueEnd(line, start);
        const value = innerValue(line.slice(start, end));
        if (isSecretAttribute(name.toLowerCase())) {
          maskSlot(start - i, end, value);
          continue;
        }
        if (inString && isSecretScriptName(name) && isLiteralValue(value)) {
          maskSlot(start - i, end, value);
          continue;
        }
        if (!inString && value !== "") ordinary.push(value);
      }
    }
    if (inString && code === BACKSLASH) {
      const escaped = line[i + 1] ?? "";
      i += 2;
      atTokenStart = escaped !== "" && "nrt_".includes(escaped);
      continue;
    }
    if (code === QUOTE) inString = !inString;
    i++;
    atTokenStart = startsToken(code);
  }
  if (copied === 0) return { text: line, secrets, ordinary };
  return { text: out + line.slice(copied), secrets, ordinary };
}
