import { continues, endsInsideString } from "../../export/continuations.js";
import { ROUTEROS_FORMAT } from "../format.js";
import { isCommandLine, linePaths } from "./test-support.js";

/**
 * Test support: one-entity edits of an export's logical lines (standard or terse layout), each
 * with the change it must produce. Identities are computed here from the lines, independently of
 * the parser: positions count the `add` lines of the path.
 */
export interface Mutation {
  readonly lines: string[];
  readonly kind: "added" | "removed" | "modified" | "moved";
  readonly path: string;
  readonly identity: string;
}

interface Rule {
  readonly index: number;
  readonly position: number;
}

const COMMAND = /^(?:\/\S+(?: [a-z0-9-]+)* )?(add|set)\b/;

function verbOf(line: string): string | undefined {
  return line.startsWith("#") || line === "" ? undefined : COMMAND.exec(line)?.[1];
}

/** The `add` lines of `path`, with their 1-based position among them. */
function rulesOf(lines: readonly string[], path: string): Rule[] {
  const paths = linePaths(lines);
  const rules: Rule[] = [];
  lines.forEach((line, index) => {
    if (paths[index] === path && verbOf(line) === "add") rules.push({ index, position: rules.length + 1 });
  });
  return rules;
}

/** `line` without its terse path prefix. */
function commandPart(line: string): string {
  return line.startsWith("/") ? line.slice(line.search(/ (add|set)\b/) + 1) : line;
}

/** The prefix a new command line needs to stay in `path`: the path itself on a terse line. */
function prefixLike(line: string): string {
  return line.startsWith("/") ? line.slice(0, line.search(/ (add|set)\b/) + 1) : "";
}

/** The first ordered menu among `paths` with at least three rules whose contents are unique. */
export function pickRules(lines: readonly string[], paths: readonly string[]): { path: string; rules: Rule[] } | null {
  for (const path of paths) {
    const rules = rulesOf(lines, path);
    const unique = new Set(rules.map((r) => commandPart(lines[r.index]!)));
    if (rules.length >= 3 && unique.size === rules.length) return { path, rules };
  }
  return null;
}

export function addRule(lines: readonly string[], path: string, rules: Rule[]): Mutation {
  const after = rules[0]!;
  const line = `${prefixLike(lines[after.index]!)}add action=accept chain=netledger-test`;
  return {
    lines: lines.toSpliced(after.index + 1, 0, line),
    kind: "added",
    path,
    identity: `#${after.position + 1}`,
  };
}

export function removeRule(lines: readonly string[], path: string, rules: Rule[]): Mutation {
  const rule = rules[1]!;
  return { lines: lines.toSpliced(rule.index, 1), kind: "removed", path, identity: `#${rule.position}` };
}

export function modifyRule(lines: readonly string[], path: string, rules: Rule[]): Mutation {
  const rule = rules[1]!;
  return {
    lines: lines.with(rule.index, `${lines[rule.index]!} log-prefix=netledger`),
    kind: "modified",
    path,
    identity: `#${rule.position}`,
  };
}

/** Moves the first rule to after the last one. */
export function moveRule(lines: readonly string[], path: string, rules: Rule[]): Mutation {
  const first = rules[0]!;
  const last = rules.at(-1)!;
  const moved = lines.toSpliced(last.index + 1, 0, lines[first.index]!).toSpliced(first.index, 1);
  return { lines: moved, kind: "moved", path, identity: `#${last.position}` };
}

/** Appends an attribute to the first `set [ find default-name=... ]` of `/interface ethernet`. */
export function changeInterface(lines: readonly string[]): Mutation | null {
  const paths = linePaths(lines);
  const index = lines.findIndex(
    (line, i) => paths[i] === "/interface ethernet" && /\bset \[ find default-name=[\w-]+ \]/.test(line),
  );
  if (index === -1) return null;
  const name = /default-name=([\w-]+)/.exec(lines[index]!)![1]!;
  return {
    lines: lines.with(index, `${lines[index]!} l2mtu=1234`),
    kind: "modified",
    path: paths[index]!,
    identity: name,
  };
}

/** Renames the first named `add` item (plain name, no quotes on the line) of one of `paths`. */
export function renameItem(lines: readonly string[], paths: readonly string[]): Mutation | null {
  const at = linePaths(lines);
  const index = lines.findIndex(
    (line, i) =>
      paths.includes(at[i]!) &&
      verbOf(line) === "add" &&
      !line.includes('"') &&
      / name=[\w-]+( |$)/.test(line) &&
      (line.match(/=/g)?.length ?? 0) >= 2,
  );
  if (index === -1) return null;
  const renamed = lines[index]!.replace(/ name=[\w-]+( |$)/, " name=netledger-renamed$1");
  return { lines: lines.with(index, renamed), kind: "modified", path: at[index]!, identity: "netledger-renamed" };
}

export interface PasswordChange {
  readonly before: string[];
  readonly after: string[];
  readonly path: string;
  readonly identity: string;
  /** Both values, to search every change field for. */
  readonly values: readonly string[];
}

const PASSWORD_LINE = / name=([\w.@-]+)(?: .*)? password=(?:"[^"]*"|\S+)/;

/**
 * Sets the password of the first named item that has one (or of a `/user` appended when none
 * has) to a known value before and another after.
 */
export function changePassword(lines: readonly string[], nonce: string): PasswordChange {
  const values = [`NlOld-${nonce}`, `NlNew-${nonce}`] as const;
  const at = linePaths(lines);
  let base = [...lines];
  let index = lines.findIndex((line) => verbOf(line) === "add" && PASSWORD_LINE.test(line));
  if (index === -1) {
    base = [...lines, "/user", "add group=read name=netledger-pw password=x"];
    index = base.length - 1;
  }
  const path = index < lines.length ? at[index]! : "/user";
  const identity = PASSWORD_LINE.exec(base[index]!)![1]!;
  const set = (value: string) =>
    base.with(index, base[index]!.replace(/ password=(?:"[^"]*"|\S+)/, ` password=${value}`));
  return { before: set(values[0]), after: set(values[1]), path, identity, values };
}

export interface WrappedChange {
  readonly raw: string;
  readonly path: string;
  /** Index of the changed logical line among the export's command lines. */
  readonly commandIndex: number;
  /** Physical lines between the changed line and its section header. */
  readonly distance: number;
}

/**
 * Inserts an attribute at the start of the continuation line (after ` \`, between tokens) that is
 * farthest from its section header, in the raw physical text. Null when nothing is wrapped.
 */
export function changeFarWrappedLine(raw: string): WrappedChange | null {
  const physical = raw.split(/\r\n|\r|\n/);
  let header = -1;
  let path = "/";
  let commands = -1;
  let best: { index: number; path: string; commandIndex: number; distance: number } | null = null;
  let logical = "";
  for (let i = 0; i < physical.length; i++) {
    const line = physical[i]!.trimEnd();
    if (continues(logical, ROUTEROS_FORMAT.continuation!)) {
      const between =
        logical.endsWith(" \\") && !endsInsideString(logical.slice(0, -1), ROUTEROS_FORMAT.stringLiteral!);
      if (between && line.startsWith("    ") && (best === null || i - header > best.distance)) {
        best = { index: i, path, commandIndex: commands, distance: i - header };
      }
      logical = logical.slice(0, -1) + line.slice(4);
      continue;
    }
    logical = line;
    if (line.startsWith("/")) {
      header = i;
      path = linePaths([line])[0]!;
    }
    if (isCommandLine(line)) commands++;
  }
  if (best === null) return null;
  physical[best.index] = `    netledger-x=1 ${physical[best.index]!.slice(4)}`;
  return { raw: physical.join("\n"), path: best.path, commandIndex: best.commandIndex, distance: best.distance };
}
