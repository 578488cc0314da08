import { z } from "zod";
import { TenantParams } from "../api/validation.js";
import { type AuditEntry, recordAudit } from "../audit.js";
import { MAX_IMPORT_ROWS, parseImportCsv, type RowOutcome, validateImportRows } from "../devices/device-import.js";
import { insertDevice } from "../devices/device-store.js";
import type { RouteRegistrar } from "./index.js";

const RowResultSchema = z.discriminatedUnion("status", [
  z.object({
    row: z.number().int(),
    line: z.number().int().nullable(),
    status: z.literal("created"),
    name: z.string(),
    deviceId: z.uuid(),
  }),
  z.object({
    row: z.number().int(),
    line: z.number().int().nullable(),
    status: z.literal("failed"),
    name: z.string().nullable(),
    code: z.enum(["VALIDATION_FAILED", "CONFLICT"]),
    errors: z.array(z.object({ path: z.string(), message: z.string() })),
  }),
]);
const ImportResultSchema = z.object({
  created: z.number().int(),
  failed: z.number().int(),
  results: z.array(RowResultSchema),
});

/** `POST .../devices/import`: CSV or JSON, a result per row, partial success. */
export const registerDeviceImportRoutes: RouteRegistrar = (api, { db, sealer, config }) => {
  api.route({
    method: "post",
    path: "/api/tenants/{tenantId}/devices/import",
    operationId: "importDevices",
    summary: "Import devices in bulk (CSV or JSON); a result per row",
    description: `CSV: header \`name,host,port,username,password,model\` (any order; \`name,host,username\` required; \`model\` \`routeros\`/\`mikrotik\`, default routeros; \`port\` default 22). JSON: \`{"devices": [{"name", "host", "port", "username", "password" | "privateKey", "passphrase", "model"}]}\`. At most ${MAX_IMPORT_ROWS} rows. Valid rows are created even when others fail; a name that exists already fails its row with CONFLICT. Answers 200 with the per-row results.`,
    tags: ["devices"],
    access: { role: "operator" },
    params: TenantParams,
    body: {
      "text/csv": z.string(),
      "application/json": z.strictObject({ devices: z.array(z.looseObject({})).min(1).max(MAX_IMPORT_ROWS) }),
    },
    bodyLimit: config.GATEWAY_IMPORT_BODY_LIMIT,
    responses: { 200: { description: "one result per row, in input order", schema: ImportResultSchema } },
    handler: async ({ params, body, auth }) => {
      const outcomes: RowOutcome[] =
        typeof body === "string"
          ? (({ rows, lines }) => validateImportRows(rows, lines))(parseImportCsv(body))
          : validateImportRows(body.devices);
      const results = await db.transaction().execute(async (trx) => {
        const rowResults: z.output<typeof RowResultSchema>[] = [];
        const audits: AuditEntry[] = [];
        for (const outcome of outcomes) {
          if (outcome.kind === "invalid") {
            const { row, line, name, errors } = outcome;
            rowResults.push({ row, line, status: "failed", name, code: "VALIDATION_FAILED", errors: [...errors] });
            continue;
          }
          const { row, line, input } = outcome;
          const created = await insertDevice(trx, sealer, params.tenantId, input);
          if (created === undefined) {
            const errors = [{ path: "name", message: "a device with this name exists" }];
            rowResults.push({ row, line, status: "failed", name: input.name, code: "CONFLICT", errors });
            continue;
          }
          rowResults.push({ row, line, status: "created", name: created.name, deviceId: created.id });
          audits.push({
            tenantId: params.tenantId,
            action: "device.created",
            targetType: "device",
            targetId: created.id,
            detail: {
              name: created.name,
              host: created.host,
              port: created.port,
              driver: created.driver,
              via: "import",
            },
          });
        }
        if (audits.length > 0) await recordAudit(trx, auth, audits);
        return rowResults;
      });
      const created = results.filter((r) => r.status === "created").length;
      return { status: 200, body: { created, failed: results.length - created, results } };
    },
  });
};
