/**
 * Names in RouterOS scripts (`:local`/`:global`/`:set` variables, `name=value` parameters inside
 * a script string) that say they hold a credential: `BackupPassword`, `TelegramToken`, `ftpPass`,
 * `api-key`, `wifi_psk`. Whole words for the short ones (`pass`, `key`), so `passthrough`,
 * `bypass` and `KEYSIZE` are not secrets; substrings for the unambiguous ones (`password`, `token`).
 */
const SECRET_SUBSTRING = /password|passwd|passphrase|secret|token|psk|apikey/i;
const SECRET_WORDS: ReadonlySet<string> = new Set(["pass", "pwd", "pw", "key", "keys"]);
/** Splits on non-alphanumerics and camelCase boundaries: `FTPPass` → FTP, Pass; `halfPass` → half, Pass. */
const WORD_BOUNDARY = /[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/;

/** Whether a script variable or script parameter named `name` holds a secret. */
export function isSecretScriptName(name: string): boolean {
  if (SECRET_SUBSTRING.test(name)) return true;
  return name.split(WORD_BOUNDARY).some((word) => SECRET_WORDS.has(word.toLowerCase()));
}

/** `:local NAME `, `:global NAME `, `:set NAME ` at a token start; group 1 is the name. */
export const SCRIPT_VARIABLE = /:(?:local|global|set)[ \t]+([A-Za-z_][\w-]*)[ \t]+/y;

/**
 * Whether a value as written in a script is a literal (a credential written out), not code that
 * computes one: `$var`, `\$var`, `[command]`, `(expression)`, `{block}`, `do={...}` are code.
 */
export function isLiteralValue(inner: string): boolean {
  return inner !== "" && !/^(?:\\*\$|\[|\(|\{|do=)/.test(inner);
}
