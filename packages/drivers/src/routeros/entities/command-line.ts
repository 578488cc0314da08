import { COMMAND_WORDS, MENU_WORD } from "../menu-path.js";
import { type Token, tokenize } from "./tokens.js";

/** A configuration line placed in its menu: `/ip firewall filter` + the tokens of `add chain=input ...`. */
export interface PlacedCommand {
  readonly path: string;
  /** The line without its path: what a standard export prints under the section header. */
  readonly command: string;
  /** Where the command starts in the line: redaction never touches what comes before. */
  readonly offset: number;
}

/**
 * Tracks the current menu over the logical lines of an export and places each command line in
 * it, whatever the layout:
 * - standard and verbose: `/ip address` then `add ...` lines;
 * - terse: `/ip address add ...` (the path on every line, also `/ip/address add ...` in v7 form);
 * - relative sub-menus as scripts write them: `/ip firewall` then `filter add ...`.
 * Returns null for lines that hold no command (blank, `#` comments, section headers).
 */
export class MenuTracker {
  private menu = "/";

  place(line: string): PlacedCommand | null {
    if (line === "" || line.startsWith("#")) return null;
    if (line.startsWith("/")) {
      const { words, rest, offset } = leadingMenuWords(line, 1);
      this.menu = `/${words.join(" ")}`;
      return rest === "" ? null : { path: this.menu, command: rest, offset };
    }
    const { words, rest, offset } = leadingMenuWords(line, 0);
    if (words.length > 0 && COMMAND_WORDS.has(rest.split(/\s/, 1)[0]!)) {
      const path = this.menu === "/" ? `/${words.join(" ")}` : `${this.menu} ${words.join(" ")}`;
      return { path, command: rest, offset };
    }
    return { path: this.menu, command: line, offset: 0 };
  }
}

const PATH_WORD = /([a-z0-9-]+)(?=[\s/]|$)[\s/]*/y;

/** Menu words at `from` (separated by spaces or `/`) up to the first command word or attribute. */
function leadingMenuWords(line: string, from: number): { words: string[]; rest: string; offset: number } {
  const words: string[] = [];
  let i = from;
  for (;;) {
    PATH_WORD.lastIndex = i;
    const match = PATH_WORD.exec(line);
    if (match === null || COMMAND_WORDS.has(match[1]!) || !MENU_WORD.test(match[1]!)) break;
    words.push(match[1]!);
    i += match[0].length;
  }
  return { words, rest: line.slice(i).trim(), offset: i };
}

/** Tokens of a command with its verb split off (`add`, `set`, `remove`...), or verb null when it has none. */
export function splitVerb(command: string): { verb: string | null; tokens: Token[] } {
  const tokens = tokenize(command);
  const first = tokens[0];
  if (first?.kind === "word" && COMMAND_WORDS.has(first.text)) return { verb: first.text, tokens: tokens.slice(1) };
  return { verb: null, tokens };
}
