import type { ConfigEntity } from "../../changes/structured-change.js";
import { splitVerb } from "./command-line.js";
import { DEFAULT_KEYS, NATURAL_KEYS, ORDERED_MENUS } from "./menus.js";
import { type Token, tokenize, unquote } from "./tokens.js";

type Attributes = Readonly<Record<string, string>>;

interface Identity {
  readonly identity: string | null;
  readonly identityAttributes: readonly string[];
}

const POSITIONAL: Identity = { identity: null, identityAttributes: [] };

/**
 * The entity one command line describes, from the line as exported (`full`) and its redacted
 * projection (`shown`, same tokens with secret values replaced). The identity is read from both
 * and used only when they agree, so a secret (an SNMP community's name) never becomes an identity.
 *
 * - `add`: a natural key of the menu, else `name`, else `comment`; positional in ordered menus
 *   and when none is present.
 * - `set [ find default-name=ether1 ]` / `set [ find name=x ]`: the value (`ether1`); other
 *   selectors: their conditions (`default=yes`); `set telnet` / `set 0`: that word; `set` with
 *   attributes only: the menu's singleton, identity "".
 * - other verbs (`remove`, `move`...) and lines without a verb: positional, the whole line as content.
 */
export function commandEntity(path: string, full: string, shown: string): ConfigEntity {
  const f = splitVerb(full);
  const s = shown === full ? f : splitVerb(shown);
  const ordered = ORDERED_MENUS.has(path);
  if (f.verb !== "add" && f.verb !== "set") {
    const name = f.verb ?? "line";
    const rest = (text: string) => (f.verb === null ? text : text.slice(text.indexOf(f.verb) + f.verb.length).trim());
    return entity(path, POSITIONAL, ordered, { [name]: rest(full) }, { [name]: rest(shown) });
  }
  const target = f.verb === "set" ? setTarget(f.tokens) : null;
  const fullAttributes = attributesOf(target === null ? f.tokens : f.tokens.slice(1));
  const shownAttributes = s === f ? fullAttributes : attributesOf(target === null ? s.tokens : s.tokens.slice(1));
  let id: Identity;
  if (f.verb === "set") {
    const shownTarget = setTarget(s.tokens);
    id = target === shownTarget ? { identity: target ?? "", identityAttributes: [] } : POSITIONAL;
  } else {
    id = ordered ? POSITIONAL : keyIdentity(path, fullAttributes, shownAttributes);
  }
  return entity(path, id, ordered, fullAttributes, shownAttributes);
}

function entity(path: string, id: Identity, ordered: boolean, attributes: Attributes, shown: Attributes): ConfigEntity {
  return { path, ...id, ordered, attributes, shown, label: id.identity === null ? labelOf(shown) : "" };
}

/** Identity of a `set` line's target: `[ find ... ]` or a bare word; null when it has none (singleton). */
function setTarget(tokens: readonly Token[]): string | null {
  const first = tokens[0];
  if (first?.kind === "word") return unquote(first.text);
  if (first?.kind !== "selector") return null;
  const conditions = tokenize(first.text.slice(1, -1)).filter((t) => !(t.kind === "word" && t.text === "find"));
  const only = conditions[0];
  if (conditions.length === 1 && only?.kind === "attribute" && (only.name === "default-name" || only.name === "name")) {
    return unquote(only.value);
  }
  const text = conditions
    .map((t) => (t.kind === "attribute" ? `${t.name}=${unquote(t.value)}` : t.text))
    .join(" ")
    .trim();
  return text === "" ? "*" : text;
}

function attributesOf(tokens: readonly Token[]): Attributes {
  return Object.fromEntries(tokens.map((t) => (t.kind === "attribute" ? [t.name, t.value] : [t.text, ""])));
}

function keyIdentity(path: string, full: Attributes, shown: Attributes): Identity {
  for (const keys of [...(NATURAL_KEYS[path] ?? []), ...DEFAULT_KEYS]) {
    if (!keys.every((key) => Object.hasOwn(full, key))) continue;
    if (keys.some((key) => full[key] !== shown[key])) continue;
    const identity =
      keys.length === 1 ? unquote(full[keys[0]!]!) : keys.map((key) => `${key}=${unquote(full[key]!)}`).join(" ");
    return { identity, identityAttributes: keys };
  }
  return POSITIONAL;
}

const LABEL_ATTRIBUTES = ["chain", "action", "comment"];

/** `input drop "defconf: drop invalid"` for a rule; the first attributes for other positional items. */
function labelOf(shown: Attributes): string {
  const picked = LABEL_ATTRIBUTES.filter((name) => Object.hasOwn(shown, name)).map((name) => shown[name]!);
  const parts =
    picked.length > 0
      ? picked
      : Object.entries(shown)
          .slice(0, 3)
          .map(([name, value]) => (value === "" ? name : `${name}=${value}`));
  const label = parts.join(" ");
  return label.length <= 80 ? label : `${label.slice(0, 79)}…`;
}
