import { attributeKey, splitWords } from "./words.js";

/**
 * Attributes RouterOS treats as sensitive: shown by v6 `/export` and v7 `/export show-sensitive`,
 * omitted by v6 `hide-sensitive` and by a plain v7 `/export`.
 */
export const SECRET_ATTRIBUTES: readonly string[] = [
  "password",
  "wpa-pre-shared-key",
  "wpa2-pre-shared-key",
  "passphrase",
  "secret",
  "authentication-password",
  "encryption-password",
  "private-key",
  "preshared-key",
];

const SECRET_SET = new Set(SECRET_ATTRIBUTES);
const MAY_HOLD_SECRET = new RegExp(`(?:^| )(?:${SECRET_ATTRIBUTES.join("|")})=`);

/** The line with every secret attribute omitted, as RouterOS 7 prints it without show-sensitive. */
export function stripSecrets(line: string): string {
  if (!MAY_HOLD_SECRET.test(line)) return line;
  return splitWords(line)
    .filter((word) => {
      const key = attributeKey(word);
      return key === null || !SECRET_SET.has(key);
    })
    .join(" ");
}
