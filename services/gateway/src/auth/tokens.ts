import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { sha256Hex } from "@netledger/drivers";

/** Prefix of every NetLedger API token, so secret scanners can recognise a leaked one. */
export const TOKEN_PREFIX = "nl_";

/** A new API token: 32 random bytes (256 bits), base64url, prefixed. Shown once, never stored. */
export function generateApiToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/** Lowercase hex sha256 of a token, what `api_tokens.token_hash` stores and lookups use. */
export function hashApiToken(token: string): string {
  return sha256Hex(token);
}

/**
 * Constant-time check of a presented token against a known one (the bootstrap token): both are
 * hashed first, so neither length nor content leaks through timing.
 */
export function tokensEqual(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}
