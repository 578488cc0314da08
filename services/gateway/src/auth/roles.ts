import { TOKEN_ROLES, type TokenRole } from "@netledger/db";

export { TOKEN_ROLES, type TokenRole };

/**
 * Who is calling, set by the authentication middleware on every authenticated request.
 * `tenantId` is null for the platform admin (the bootstrap token), who may act in every tenant.
 */
export interface AuthContext {
  /** `api_tokens.id`, or {@link BOOTSTRAP_TOKEN_ID}; the audit actor. */
  readonly tokenId: string;
  readonly tenantId: string | null;
  readonly role: TokenRole;
  /** sha256 of the presented token: the rate-limit key (never the token itself). */
  readonly tokenHash: string;
}

/** Token id (and audit actor) of the platform-admin bootstrap token. */
export const BOOTSTRAP_TOKEN_ID = "bootstrap";

const RANK: Readonly<Record<TokenRole, number>> = { viewer: 0, operator: 1, admin: 2 };

/** True when `role` is `required` or more privileged (viewer < operator < admin). */
export function roleAtLeast(role: TokenRole, required: TokenRole): boolean {
  return RANK[role] >= RANK[required];
}

/** True for the platform admin (bootstrap token): every tenant, every role. */
export function isPlatformAdmin(auth: AuthContext): boolean {
  return auth.tenantId === null;
}
