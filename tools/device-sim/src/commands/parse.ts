/**
 * The slice of the RouterOS console language the simulator understands, with RouterOS's own
 * error texts and positions: an unknown menu or command is `bad command name <word> (line L
 * column C)`, an argument the command does not take is `expected end of command (line L column
 * C)` (what RouterOS 6 answers to `/export show-sensitive`, column 9). Commands may be separated by
 * `;` or newlines; paths may use spaces or slashes (`/system/resource/print`).
 */

export type ExportFlag = "show-sensitive" | "hide-sensitive" | "terse" | "compact" | "verbose";
export type PrintMenu = "resource" | "identity" | "history" | "package";

export type Command =
  | { readonly kind: "export"; readonly flags: ReadonlySet<ExportFlag> }
  | { readonly kind: "print"; readonly menu: PrintMenu }
  | { readonly kind: "quit" };

export type ParseResult =
  | { readonly ok: true; readonly commands: readonly Command[] }
  | { readonly ok: false; readonly error: string };

interface Word {
  readonly text: string;
  /** Offset in the whole input. */
  readonly at: number;
}

type MenuNode = { readonly [name: string]: MenuNode | "export" | "quit" | PrintMenu };

const PRINTABLE: readonly PrintMenu[] = ["resource", "identity", "history", "package"];
const ROOT: MenuNode = {
  export: "export",
  quit: "quit",
  system: Object.fromEntries(PRINTABLE.map((menu) => [menu, { print: menu }])),
};
const PRINT_ARGS = new Set(["without-paging", "detail"]);
const EXPORT_FLAGS_V6 = new Set<ExportFlag>(["hide-sensitive", "terse", "compact", "verbose"]);
const EXPORT_FLAGS_V7 = new Set<ExportFlag>([...EXPORT_FLAGS_V6, "show-sensitive"]);

/** Splits into statements of words; `/` separates path words, `;` and newlines end a statement. */
function tokenize(input: string): Word[][] {
  const statements: Word[][] = [[]];
  const re = /[^\s;/]+|;|\n/g;
  for (let m = re.exec(input); m !== null; m = re.exec(input)) {
    if (m[0] === ";" || m[0] === "\n") statements.push([]);
    else statements.at(-1)!.push({ text: m[0], at: m.index });
  }
  return statements.filter((s) => s.length > 0);
}

function position(input: string, at: number): string {
  const before = input.slice(0, at);
  const line = before.split("\n").length;
  const column = at - (before.lastIndexOf("\n") + 1) + 1;
  return `(line ${line} column ${column})`;
}

/** Parses one console input for a device of the given major version. */
export function parseCommandLine(input: string, major: 6 | 7): ParseResult {
  const commands: Command[] = [];
  const fail = (what: string, word: Word): ParseResult => ({ ok: false, error: `${what} ${position(input, word.at)}` });
  for (const words of tokenize(input)) {
    let node: MenuNode | "export" | "quit" | PrintMenu = ROOT;
    let i = 0;
    for (; i < words.length && typeof node === "object"; i++) {
      const next: MenuNode | "export" | "quit" | PrintMenu | undefined = Object.hasOwn(node, words[i]!.text)
        ? node[words[i]!.text]
        : undefined;
      if (next === undefined) return fail(`bad command name ${words[i]!.text}`, words[i]!);
      node = next;
    }
    if (typeof node === "object") continue;
    const args = words.slice(i);
    if (node === "export") {
      const allowed = major === 6 ? EXPORT_FLAGS_V6 : EXPORT_FLAGS_V7;
      const bad = args.find((w) => !allowed.has(w.text as ExportFlag));
      if (bad !== undefined) return fail("expected end of command", bad);
      commands.push({ kind: "export", flags: new Set(args.map((w) => w.text as ExportFlag)) });
    } else {
      const bad = node === "quit" ? args[0] : args.find((w) => !PRINT_ARGS.has(w.text));
      if (bad !== undefined) return fail("expected end of command", bad);
      commands.push(node === "quit" ? { kind: "quit" } : { kind: "print", menu: node });
    }
  }
  return { ok: true, commands };
}

/** Whether an export with these flags shows secrets on this version (v7: only show-sensitive). */
export function showsSensitive(flags: ReadonlySet<ExportFlag>, major: 6 | 7): boolean {
  if (flags.has("hide-sensitive")) return false;
  return major === 6 || flags.has("show-sensitive");
}
