import type { Database } from "@netledger/db";
import type { Kysely } from "kysely";
import type { TenantGuard } from "../api/route.js";
import { NotFoundError } from "../errors.js";
import { type AuthContext, isPlatformAdmin } from "./roles.js";

/**
 * Tenant scoping of every `/api/tenants/{tenantId}/...` route: a tenant token sees only its own
 * tenant, and any other id (existing or not) answers the same 404; the platform admin sees
 * every existing tenant.
 */
export function createTenantGuard(db: Kysely<Database>): TenantGuard {
  return async (auth: AuthContext, tenantId: string) => {
    if (!isPlatformAdmin(auth)) {
      if (auth.tenantId !== tenantId) throw new NotFoundError("tenant");
      return;
    }
    const row = await db.selectFrom("tenants").select("id").where("id", "=", tenantId).executeTakeFirst();
    if (row === undefined) throw new NotFoundError("tenant");
  };
}
