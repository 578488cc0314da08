import { z } from "zod";
import { Id, iso, TenantParams } from "../api/validation.js";
import { recordAudit } from "../audit.js";
import { TOKEN_ROLES } from "../auth/roles.js";
import { generateApiToken, hashApiToken } from "../auth/tokens.js";
import { NotFoundError } from "../errors.js";
import type { RouteRegistrar } from "./index.js";

const Timestamp = z.iso.datetime({ offset: true });
const TokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.enum(TOKEN_ROLES),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});
const CreatedTokenSchema = TokenSchema.extend({
  /** The token itself: shown in this response only, never again. */
  token: z.string(),
});

interface TokenRow {
  id: string;
  name: string;
  role: (typeof TOKEN_ROLES)[number];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}
const TOKEN_COLUMNS = ["id", "name", "role", "created_at", "last_used_at", "revoked_at"] as const;

function toToken(row: TokenRow) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdAt: iso(row.created_at),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  };
}

/** API tokens of a tenant: admins create (shown once), list and revoke them. */
export const registerTokenRoutes: RouteRegistrar = (api, { db }) => {
  api.route({
    method: "post",
    path: "/api/tenants/{tenantId}/tokens",
    operationId: "createToken",
    summary: "Create an API token (shown once)",
    tags: ["tokens"],
    access: { role: "admin" },
    params: TenantParams,
    body: z.strictObject({ name: z.string().trim().min(1).max(100), role: z.enum(TOKEN_ROLES) }),
    responses: { 201: { description: "the token, with its secret value (only here)", schema: CreatedTokenSchema } },
    handler: async ({ params, body, auth }) => {
      const token = generateApiToken();
      const row = await db.transaction().execute(async (trx) => {
        const created = await trx
          .insertInto("api_tokens")
          .values({ tenant_id: params.tenantId, name: body.name, role: body.role, token_hash: hashApiToken(token) })
          .returning(TOKEN_COLUMNS)
          .executeTakeFirstOrThrow();
        await recordAudit(trx, auth, {
          tenantId: params.tenantId,
          action: "api_token.created",
          targetType: "api_token",
          targetId: created.id,
          detail: { name: created.name, role: created.role },
        });
        return created;
      });
      return { status: 201, body: { ...toToken(row), token }, headers: { "cache-control": "no-store" } };
    },
  });

  api.route({
    method: "get",
    path: "/api/tenants/{tenantId}/tokens",
    operationId: "listTokens",
    summary: "List API tokens (never their values)",
    tags: ["tokens"],
    access: { role: "admin" },
    params: TenantParams,
    query: z.strictObject({ includeRevoked: z.enum(["true", "false"]).default("false") }),
    responses: { 200: { description: "tokens, newest first", schema: z.object({ items: z.array(TokenSchema) }) } },
    handler: async ({ params, query }) => {
      let select = db.selectFrom("api_tokens").select(TOKEN_COLUMNS).where("tenant_id", "=", params.tenantId);
      if (query.includeRevoked === "false") select = select.where("revoked_at", "is", null);
      const rows = await select.orderBy("created_at", "desc").orderBy("id", "desc").limit(1000).execute();
      return { status: 200, body: { items: rows.map(toToken) } };
    },
  });

  api.route({
    method: "delete",
    path: "/api/tenants/{tenantId}/tokens/{tokenId}",
    operationId: "revokeToken",
    summary: "Revoke an API token",
    description: "Revoking is immediate for every gateway replica. Revoking a revoked token answers 204 again.",
    tags: ["tokens"],
    access: { role: "admin" },
    params: z.strictObject({ tenantId: Id, tokenId: Id }),
    responses: { 204: { description: "revoked" } },
    handler: async ({ params, auth }) => {
      await db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom("api_tokens")
          .select(["id", "name", "revoked_at"])
          .where("tenant_id", "=", params.tenantId)
          .where("id", "=", params.tokenId)
          .forUpdate()
          .executeTakeFirst();
        if (row === undefined) throw new NotFoundError("token");
        if (row.revoked_at !== null) return;
        await trx.updateTable("api_tokens").set({ revoked_at: new Date() }).where("id", "=", row.id).execute();
        await recordAudit(trx, auth, {
          tenantId: params.tenantId,
          action: "api_token.revoked",
          targetType: "api_token",
          targetId: row.id,
          detail: { name: row.name },
        });
      });
      return { status: 204 };
    },
  });
};
