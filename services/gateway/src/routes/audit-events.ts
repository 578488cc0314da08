import type { JsonObject } from "@netledger/db";
import { z } from "zod";
import {
  beforeCursor,
  cursorTimeOf,
  iso,
  pageOf,
  pageSchema,
  queryCursor,
  queryLimit,
  queryTimestamp,
  TenantParams,
} from "../api/validation.js";
import type { RouteRegistrar } from "./index.js";

const AuditEventSchema = z.object({
  id: z.uuid(),
  /** Token id of the caller, `bootstrap` for the platform admin, `system` for the services. */
  actor: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  at: z.iso.datetime({ offset: true }),
});

const Word = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, { message: "letters, digits and . _ : -" });

/** `GET /api/tenants/{tenantId}/audit-events`: newest first, filterable, cursor pages (admin). */
export const registerAuditEventRoutes: RouteRegistrar = (api, { db }) => {
  api.route({
    method: "get",
    path: "/api/tenants/{tenantId}/audit-events",
    operationId: "listAuditEvents",
    summary: "Audit events of the tenant, newest first (admin)",
    description:
      "Filters: `action` (exact, e.g. `device.created`), `targetType` and `targetId`, `actor` (token id), `from` (inclusive) and `to` (exclusive) as RFC 3339 times. Pages: `limit` (1-200, default 50) and the `nextCursor` of the previous page as `cursor`.",
    tags: ["audit"],
    access: { role: "admin" },
    params: TenantParams,
    query: z.strictObject({
      action: Word.optional(),
      targetType: Word.optional(),
      targetId: Word.optional(),
      actor: Word.optional(),
      from: queryTimestamp.optional(),
      to: queryTimestamp.optional(),
      limit: queryLimit,
      cursor: queryCursor.optional(),
    }),
    responses: { 200: { description: "a page of events", schema: pageSchema(AuditEventSchema) } },
    handler: async ({ params, query }) => {
      let select = db
        .selectFrom("audit_events")
        .select([
          "id",
          "actor",
          "action",
          "target_type",
          "target_id",
          "detail",
          "created_at",
          cursorTimeOf("created_at").as("cursor_at"),
        ])
        .where("tenant_id", "=", params.tenantId);
      if (query.action !== undefined) select = select.where("action", "=", query.action);
      if (query.targetType !== undefined) select = select.where("target_type", "=", query.targetType);
      if (query.targetId !== undefined) select = select.where("target_id", "=", query.targetId);
      if (query.actor !== undefined) select = select.where("actor", "=", query.actor);
      if (query.from !== undefined) select = select.where("created_at", ">=", query.from);
      if (query.to !== undefined) select = select.where("created_at", "<", query.to);
      if (query.cursor !== undefined) select = select.where(beforeCursor(query.cursor));
      const rows = await select
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(query.limit + 1)
        .execute();
      const body = pageOf(rows, query.limit, (row) => ({
        id: row.id,
        actor: row.actor,
        action: row.action,
        targetType: row.target_type,
        targetId: row.target_id,
        detail: row.detail as JsonObject,
        at: iso(row.created_at),
      }));
      return { status: 200, body };
    },
  });
};
