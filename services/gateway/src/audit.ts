import type { Database, JsonObject } from "@netledger/db";
import type { Kysely } from "kysely";
import type { AuthContext } from "./auth/roles.js";

/**
 * Audit actions the gateway writes. Dotted `<target>.<verb>`, like the rest of the system
 * (`api_token.created`); the issue's `config_backup_manual_trigger` is the trigger route's.
 */
export type GatewayAuditAction =
  | "tenant.created"
  | "api_token.created"
  | "api_token.revoked"
  | "device.created"
  | "device.updated"
  | "device.deleted"
  | "device.host_key_accepted"
  | (string & {});

export interface AuditEntry {
  readonly tenantId: string;
  readonly action: GatewayAuditAction;
  readonly targetType: string;
  readonly targetId: string | null;
  /** Safe facts only: never a token, password, key or config text. */
  readonly detail?: JsonObject;
}

/**
 * Records audit events with the calling token's id as actor. Pass the transaction that made
 * the change, so the events exist exactly when the change does.
 */
export async function recordAudit(
  db: Kysely<Database>,
  auth: AuthContext,
  entries: AuditEntry | readonly AuditEntry[],
): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries as AuditEntry];
  for (let i = 0; i < list.length; i += 1000) {
    await db
      .insertInto("audit_events")
      .values(
        list.slice(i, i + 1000).map((entry) => ({
          tenant_id: entry.tenantId,
          actor: auth.tokenId,
          action: entry.action,
          target_type: entry.targetType,
          target_id: entry.targetId,
          detail: entry.detail ?? {},
        })),
      )
      .execute();
  }
}
