import { z } from "zod";
import { isUniqueViolation } from "../api/db-errors.js";
import { iso, TenantParams } from "../api/validation.js";
import { recordAudit } from "../audit.js";
import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import type { RouteRegistrar } from "./index.js";

const TenantSchema = z.object({ id: z.uuid(), name: z.string(), createdAt: z.iso.datetime({ offset: true }) });
const TenantName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, { message: "letters, digits, space, dot, underscore or dash" });

function toTenant(row: { id: string; name: string; created_at: Date }) {
  return { id: row.id, name: row.name, createdAt: iso(row.created_at) };
}

/** Tenants: created and listed by the platform admin; a tenant's own tokens may read it. */
export const registerTenantRoutes: RouteRegistrar = (api, { db, logger }) => {
  api.route({
    method: "post",
    path: "/api/tenants",
    operationId: "createTenant",
    summary: "Create a tenant (platform admin)",
    tags: ["tenants"],
    access: "platform",
    body: z.strictObject({ name: TenantName }),
    responses: {
      201: { description: "the new tenant", schema: TenantSchema },
      409: { description: "a tenant with this name exists (CONFLICT)" },
    },
    handler: async ({ body, auth }) => {
      try {
        const row = await db.transaction().execute(async (trx) => {
          const created = await trx
            .insertInto("tenants")
            .values({ name: body.name })
            .returning(["id", "name", "created_at"])
            .executeTakeFirstOrThrow();
          await recordAudit(trx, auth, {
            tenantId: created.id,
            action: "tenant.created",
            targetType: "tenant",
            targetId: created.id,
            detail: { name: created.name },
          });
          return created;
        });
        return { status: 201, body: toTenant(row) };
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError("a tenant with this name exists");
        throw err;
      }
    },
  });

  api.route({
    method: "get",
    path: "/api/tenants",
    operationId: "listTenants",
    summary: "List tenants (platform admin)",
    tags: ["tenants"],
    access: "platform",
    responses: { 200: { description: "every tenant, by name", schema: z.object({ items: z.array(TenantSchema) }) } },
    handler: async () => {
      const rows = await db.selectFrom("tenants").select(["id", "name", "created_at"]).orderBy("name").execute();
      return { status: 200, body: { items: rows.map(toTenant) } };
    },
  });

  api.route({
    method: "get",
    path: "/api/tenants/{tenantId}",
    operationId: "getTenant",
    summary: "A tenant",
    tags: ["tenants"],
    access: { role: "viewer" },
    params: TenantParams,
    responses: { 200: { description: "the tenant", schema: TenantSchema } },
    handler: async ({ params }) => {
      const row = await db
        .selectFrom("tenants")
        .select(["id", "name", "created_at"])
        .where("id", "=", params.tenantId)
        .executeTakeFirst();
      if (row === undefined) throw new NotFoundError("tenant");
      return { status: 200, body: toTenant(row) };
    },
  });

  api.route({
    method: "delete",
    path: "/api/tenants/{tenantId}",
    operationId: "deleteTenant",
    summary: "Delete a tenant and everything it owns (platform admin)",
    description:
      "Removes the tenant with its tokens, devices, every stored configuration version, diff and change, " +
      "device status, backup batches and its audit trail, in one transaction. Irreversible: `confirm` must " +
      "repeat the tenant's name. Backups of its devices still in flight are dead-lettered as unknown devices.",
    tags: ["tenants"],
    access: "platform",
    params: TenantParams,
    query: z.strictObject({ confirm: z.string().describe("the tenant's name, exactly") }),
    responses: { 204: { description: "deleted" } },
    handler: async ({ params, query, auth }) => {
      const deleted = await db.transaction().execute(async (trx) => {
        const tenant = await trx
          .selectFrom("tenants")
          .select(["id", "name"])
          .where("id", "=", params.tenantId)
          .forUpdate()
          .executeTakeFirst();
        if (tenant === undefined) throw new NotFoundError("tenant");
        if (query.confirm !== tenant.name) {
          throw new ValidationError([{ location: "query", path: "confirm", message: "must equal the tenant's name" }]);
        }
        // Every table of the tenant references it or its devices with ON DELETE CASCADE.
        await trx.deleteFrom("tenants").where("id", "=", tenant.id).execute();
        return tenant;
      });
      // The tenant's own audit trail is gone with it: the platform's record is this log line.
      logger.info(
        {
          action: "tenant.deleted",
          tenantId: deleted.id,
          tenantName: deleted.name,
          actor: auth.tokenId || "bootstrap",
        },
        "tenant deleted",
      );
      return { status: 204 };
    },
  });
};
