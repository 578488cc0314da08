import { readFile } from "node:fs/promises";
import type { Database } from "@netledger/db";
import type { Logger } from "@netledger/platform";
import { type Kysely, sql } from "kysely";
import { UnauthenticatedError } from "../errors.js";
import { type AuthContext, BOOTSTRAP_TOKEN_ID } from "./roles.js";
import { hashApiToken, tokensEqual } from "./tokens.js";

/** Turns an `Authorization` header into the caller, or throws {@link UnauthenticatedError}. */
export type Authenticator = (authorization: string | undefined) => Promise<AuthContext>;

export interface AuthenticatorOptions {
  db: Kysely<Database>;
  /** The platform-admin token, if any (see {@link loadBootstrapToken}). */
  bootstrapToken: string | undefined;
  logger: Logger;
  /** `last_used_at` is written at most once per token per this period (default 60 s). */
  lastUsedResolutionMs?: number;
}

/** Longest header we look at; anything longer is not one of our tokens. */
const MAX_AUTHORIZATION_LENGTH = 512;
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

/**
 * Bearer-token authentication. The bootstrap token is compared in constant time; API tokens are
 * found by their sha256 (the token is never stored, so a database read cannot reveal one).
 * `last_used_at` is refreshed at most once a minute per token, in the background.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { db, bootstrapToken, logger } = options;
  const resolutionMs = options.lastUsedResolutionMs ?? 60_000;
  const lastTouched = new Map<string, number>();

  const touch = (tokenId: string) => {
    const now = Date.now();
    if (now - (lastTouched.get(tokenId) ?? 0) < resolutionMs) return;
    lastTouched.set(tokenId, now);
    if (lastTouched.size > 10_000) lastTouched.clear();
    db.updateTable("api_tokens")
      .set({ last_used_at: sql<Date>`now()` })
      .where("id", "=", tokenId)
      .execute()
      .catch((err: unknown) => logger.warn({ err, tokenId }, "could not record token use"));
  };

  return async (authorization) => {
    if (authorization === undefined || authorization.length > MAX_AUTHORIZATION_LENGTH) {
      throw new UnauthenticatedError();
    }
    const match = BEARER.exec(authorization.trim());
    const token = match?.[1];
    if (token === undefined) throw new UnauthenticatedError();
    const tokenHash = hashApiToken(token);
    if (bootstrapToken !== undefined && tokensEqual(token, bootstrapToken)) {
      return { tokenId: BOOTSTRAP_TOKEN_ID, tenantId: null, role: "admin", tokenHash };
    }
    const row = await db
      .selectFrom("api_tokens")
      .select(["id", "tenant_id", "role"])
      .where("token_hash", "=", tokenHash)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (row === undefined) throw new UnauthenticatedError();
    touch(row.id);
    return { tokenId: row.id, tenantId: row.tenant_id, role: row.role, tokenHash };
  };
}

/**
 * The bootstrap token from `NETLEDGER_BOOTSTRAP_TOKEN`, or read from the file named by
 * `NETLEDGER_BOOTSTRAP_TOKEN_FILE` (trailing newline dropped). Undefined when neither is set.
 * Throws when the file cannot be read or holds fewer than 32 characters.
 */
export async function loadBootstrapToken(config: {
  NETLEDGER_BOOTSTRAP_TOKEN?: string | undefined;
  NETLEDGER_BOOTSTRAP_TOKEN_FILE?: string | undefined;
}): Promise<string | undefined> {
  if (config.NETLEDGER_BOOTSTRAP_TOKEN !== undefined) return config.NETLEDGER_BOOTSTRAP_TOKEN;
  const file = config.NETLEDGER_BOOTSTRAP_TOKEN_FILE;
  if (file === undefined) return undefined;
  const token = (await readFile(file, "utf8")).trim();
  if (token.length < 32) throw new Error("NETLEDGER_BOOTSTRAP_TOKEN_FILE: the file must hold at least 32 characters");
  return token;
}
