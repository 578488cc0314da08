/** Words that end a menu path on a terse line (`/ip firewall filter add chain=input`). */
export const COMMAND_WORDS = new Set([
  "add",
  "comment",
  "disable",
  "edit",
  "enable",
  "export",
  "import",
  "move",
  "print",
  "remove",
  "reset",
  "set",
  "unset",
]);

export const MENU_WORD = /^[a-z0-9-]+$/;

/**
 * Menu path of a line that starts with `/`, written the way standard exports do:
 * `/snmp community`, from `/snmp community`, `/snmp community add name=x` or `/snmp/community`.
 */
export function menuPath(line: string): string {
  const [first = "", ...rest] = line.slice(1).split(/\s+/);
  const words: string[] = [];
  for (const word of [...first.split("/"), ...rest]) {
    if (!MENU_WORD.test(word) || COMMAND_WORDS.has(word)) break;
    words.push(word);
  }
  return `/${words.join(" ")}`;
}
