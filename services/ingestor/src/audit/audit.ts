import { createHash } from "node:crypto";
import type { Database, JsonObject, NewAuditEvent } from "@netledger/db";
import type { Kysely } from "kysely";

/** Audit actions the ingestor writes. */
export type IngestAuditAction =
  | "config_snapshot_created"
  | "config_snapshot_skipped_duplicate"
  | "config_snapshot_suspected_truncated"
  | "config_snapshot_reference_gone"
  | "config_diff_generated"
  | "config_backup_failed"
  | "device_blocked"
  | "device_host_key_pinned"
  | "message_dead_lettered";

/** One audit row. `detail` holds ids, codes, counts and fingerprints: never config text or secrets. */
export interface IngestAudit {
  readonly tenantId: string | null;
  readonly action: IngestAuditAction;
  readonly targetType: "device" | "snapshot" | "diff" | "message";
  readonly targetId: string | null;
  readonly detail: JsonObject;
  /** Fixed id, for rows that may be written again by a retry (they are then written once). */
  readonly id?: string;
}

/** The services' own actions are audited as this actor. */
export const AUDIT_ACTOR = "system";

/** The `audit_events` row of `audit`. */
export function auditRow(audit: IngestAudit): NewAuditEvent {
  return {
    ...(audit.id === undefined ? {} : { id: audit.id }),
    tenant_id: audit.tenantId,
    actor: AUDIT_ACTOR,
    action: audit.action,
    target_type: audit.targetType,
    target_id: audit.targetId,
    detail: audit.detail,
  };
}

/** Inserts `rows` in one statement (nothing when empty); rows with a fixed id already present are skipped. */
export async function insertAudit(db: Kysely<Database>, rows: readonly IngestAudit[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto("audit_events")
    .values(rows.map(auditRow))
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
}

/** A uuid derived from `key` (sha256-based), so the same event always gets the same row id. */
export function uuidFromKey(key: string): string {
  const hex = createHash("sha256").update(key, "utf8").digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
