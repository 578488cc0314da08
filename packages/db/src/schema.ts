import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/**
 * Kysely types of the NetLedger schema, one interface per table, matching the migrations in
 * `./migrations`. Column names stay snake_case (no CamelCasePlugin): what you read here is what
 * `psql` shows. Ids are uuid strings; counts are `integer` (never bigint, which pg returns as a
 * string and PGlite as a number); bytea columns come back as `Buffer` from pg and `Uint8Array`
 * from PGlite, both typed `Uint8Array`.
 */

/** A timestamptz the caller always sets. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamptz with a database default (`now()`). */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A nullable column that may be left out on insert. */
type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;
/** A column with a database default. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Roles of API tokens, least to most privileged. */
export const TOKEN_ROLES = ["viewer", "operator", "admin"] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

/** Outcome of a device's last backup attempt. */
export const BACKUP_STATUSES = ["success", "unchanged", "failed"] as const;
export type BackupStatus = (typeof BACKUP_STATUSES)[number];

/** Kind of one structured configuration change. */
export const CHANGE_KINDS = ["added", "removed", "modified", "moved"] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface TenantsTable {
  id: Generated<string>;
  name: string;
  created_at: DefaultTimestamp;
}

export interface ApiTokensTable {
  id: Generated<string>;
  tenant_id: string;
  name: string;
  /** Lowercase hex sha256 of the token; the token itself is never stored. */
  token_hash: string;
  role: TokenRole;
  created_at: DefaultTimestamp;
  last_used_at: Nullable<Date>;
  revoked_at: Nullable<Date>;
}

export interface DevicesTable {
  id: Generated<string>;
  tenant_id: string;
  /** Unique within the tenant. */
  name: string;
  host: string;
  port: number;
  /** Driver id, e.g. `routeros`. */
  driver: string;
  /** Sealed with the key ring (`v1:<keyId>:...`), bound to the device id as AAD by convention. */
  credentials_sealed: string;
  /** Pinned SSH host key (`SHA256:...` style fingerprint); null until first contact. */
  host_key_fingerprint: Nullable<string>;
  host_key_first_seen_at: Nullable<Date>;
  /** SSH key type of the pinned key (`ssh-ed25519`, `ssh-rsa`, ...); null when unknown. */
  host_key_type: Nullable<string>;
  software_version: Nullable<string>;
  /** Per-device override of the default backup interval. */
  backup_interval_seconds: Nullable<number>;
  enabled: Defaulted<boolean>;
  /** Time of the last backup attempt, success or failure (collected or failed at). */
  last_backup_at: Nullable<Date>;
  /** Outcome of that last attempt. */
  last_backup_status: Nullable<BackupStatus>;
  /** Error code of the last attempt when it failed; null after a success. */
  last_error_code: Nullable<string>;
  /** Failed attempts since the last success. */
  consecutive_failures: Defaulted<number>;
  /** Time of the last successful backup (stored or unchanged). */
  last_success_at: Nullable<Date>;
  /**
   * Set when backups must stop until an operator acts: the error code that blocked the device
   * (`SSH_AUTH_FAILED`, `SSH_HOSTKEY_MISMATCH`). The scheduler skips blocked devices.
   */
  blocked_reason: Nullable<string>;
  blocked_at: Nullable<Date>;
  /** Host key a collector saw instead of the pinned one (`SSH_HOSTKEY_MISMATCH`), for an admin to review. */
  observed_host_key_fingerprint: Nullable<string>;
  /** Key type of the observed key, when the collector could read it. */
  observed_host_key_type: Nullable<string>;
  /** Start of the device's next regular backup slot; the scheduler moves it when it enqueues a slot. */
  next_due_at: DefaultTimestamp;
  /** Slot of the last job the scheduler enqueued (regular or retry after a failure). */
  last_scheduled_slot_at: Nullable<Date>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface ConfigSnapshotsTable {
  id: Generated<string>;
  tenant_id: string;
  device_id: string;
  /** Per-device version number 1, 2, 3...; unique per device (see `snapshot-versions.ts`). */
  seq: number;
  /** Lowercase hex sha256 of the normalized configuration text. */
  sha256: string;
  size_bytes: number;
  content_sealed: Uint8Array;
  collected_at: Timestamp;
  /** Last time a backup found this same configuration (unchanged backups move it). */
  last_seen_at: DefaultTimestamp;
  normalization_version: number;
  software_version: Nullable<string>;
  /** JetStream msg-id of the message that carried it; a redelivery cannot store it twice. */
  source_msg_id: string;
  created_at: DefaultTimestamp;
}

/**
 * Head pointer: the `seq` of the device's latest snapshot. Its foreign key to
 * (device_id, seq) keeps retention off the latest snapshot.
 */
export interface DeviceLatestSnapshotTable {
  device_id: string;
  seq: number;
  updated_at: DefaultTimestamp;
}

/**
 * A snapshot held back as a suspected truncation (see the ingestor README), one per device;
 * removed when a snapshot of the device is stored or found unchanged.
 */
export interface SnapshotRechecksTable {
  device_id: string;
  tenant_id: string;
  /** Msg id of the held-back snapshot; the re-collection job's id derives from it. */
  suspect_msg_id: string;
  /** sha256 of the held-back text: a later snapshot with the same one is stored. */
  suspect_sha256: string;
  /** The re-collection job asked for; null once the attempts ran out. */
  recheck_job_id: Nullable<string>;
  /** Re-collections asked since the marker was written. */
  attempts: Generated<number>;
  asked_at: DefaultTimestamp;
}

export interface ConfigDiffsTable {
  id: Generated<string>;
  device_id: string;
  /** Null for the diff that introduced a device's first retained version, or once retention removed it. */
  from_snapshot_id: Nullable<string>;
  to_snapshot_id: string;
  diff_sealed: Uint8Array;
  added_lines: number;
  removed_lines: number;
  created_at: DefaultTimestamp;
}

/** Attributes of one configuration item, secret values replaced by the redaction marker. */
export type RedactedAttributes = { [name: string]: string };

/** One structured change of a diff (see `StructuredChange` in packages/drivers). */
export interface ConfigChangesTable {
  id: Generated<string>;
  diff_id: string;
  device_id: string;
  /** Order of the change within its diff, from 0. */
  ordinal: Defaulted<number>;
  kind: ChangeKind;
  /** Menu path, e.g. `/ip firewall filter`. */
  path: string;
  /** Item identity within the menu, e.g. `default-name=ether1`, `#3`, or `` for singleton menus. */
  identity: string;
  /** One human line, redacted: `ether1: mtu 1500 → 9000`. */
  summary: Defaulted<string>;
  before_attributes: ColumnType<
    RedactedAttributes | null,
    RedactedAttributes | null | undefined,
    RedactedAttributes | null
  >;
  after_attributes: ColumnType<
    RedactedAttributes | null,
    RedactedAttributes | null | undefined,
    RedactedAttributes | null
  >;
  /** A secret value of the item changed (found by comparing full texts; the value is never stored). */
  secret_changed: Defaulted<boolean>;
}

/** Outcome of one job, as the ingestor last recorded it. */
export const JOB_OUTCOMES = ["stored", "unchanged", "failed"] as const;
export type JobOutcomeKind = (typeof JOB_OUTCOMES)[number];

/**
 * Last outcome of each backup job (messages carrying a `jobId`). A success is final; a failure
 * is replaced by a later failure or a success of the same job. The gateway's bulk-backup progress
 * joins on `job_id`.
 */
export interface JobOutcomesTable {
  job_id: string;
  tenant_id: string;
  device_id: string;
  outcome: JobOutcomeKind;
  /** Set exactly when `outcome` is `failed`. */
  error_code: Nullable<string>;
  /** The stored (or unchanged latest) version for successes; null for failures. */
  snapshot_id: Nullable<string>;
  /** Collected at (success) or failed at (failure). */
  at: Timestamp;
}

/** Which consumer accepted a message. */
export const INGEST_SOURCES = ["snapshots", "events"] as const;
export type IngestSource = (typeof INGEST_SOURCES)[number];

/**
 * One row per message the ingestor accepted, written in the same transaction as its effects:
 * a redelivered message finds its receipt and changes nothing. Older than the streams' max age,
 * rows can go (no message can come back then).
 */
export interface IngestReceiptsTable {
  source: IngestSource;
  msg_id: string;
  tenant_id: string;
  device_id: string;
  /** The `IngestedEvent` announced for a snapshot message, re-published as is on a redelivery. */
  ingested_event: ColumnType<JsonObject | null, JsonObject | null | undefined, JsonObject | null>;
  received_at: DefaultTimestamp;
}

export interface AuditEventsTable {
  id: Generated<string>;
  /** Null only for system events that name no known tenant (a dead-lettered message). */
  tenant_id: Nullable<string>;
  /** Api token id, or `system` for the services' own actions. */
  actor: string;
  action: string;
  target_type: string;
  target_id: Nullable<string>;
  detail: ColumnType<JsonObject, JsonObject | undefined, JsonObject>;
  created_at: DefaultTimestamp;
}

/** One bulk backup (`POST /api/tenants/{tid}/backups`). */
export interface BackupBatchesTable {
  id: Generated<string>;
  tenant_id: string;
  /** Api token id that asked for it. */
  created_by: string;
  /** The device filter as given (empty: every enabled device). */
  filter: ColumnType<JsonObject, JsonObject | undefined, JsonObject>;
  device_count: number;
  created_at: DefaultTimestamp;
}

/** The job a bulk backup enqueued for one device; its outcome is `job_outcomes` by `job_id`. */
export interface BackupBatchJobsTable {
  batch_id: string;
  job_id: string;
  tenant_id: string;
  device_id: string;
  device_name: string;
  /** Error code when the job never reached the work queue. */
  enqueue_error: Nullable<string>;
}

/** States of an idempotency key: its request is running, or its first answer is stored. */
export const IDEMPOTENCY_STATES = ["pending", "done"] as const;
export type IdempotencyState = (typeof IDEMPOTENCY_STATES)[number];

/** First answer to a request with an `Idempotency-Key`, per tenant, token and key. */
export interface IdempotencyKeysTable {
  tenant_id: string;
  token_id: string;
  key: string;
  request_fingerprint: string;
  claim_id: string;
  state: IdempotencyState;
  status: Nullable<number>;
  response: Nullable<JsonObject>;
  created_at: DefaultTimestamp;
  locked_until: Timestamp;
  expires_at: Timestamp;
}

/** The whole schema, for `Kysely<Database>`. */
export interface Database {
  tenants: TenantsTable;
  api_tokens: ApiTokensTable;
  devices: DevicesTable;
  config_snapshots: ConfigSnapshotsTable;
  device_latest_snapshot: DeviceLatestSnapshotTable;
  config_diffs: ConfigDiffsTable;
  config_changes: ConfigChangesTable;
  audit_events: AuditEventsTable;
  job_outcomes: JobOutcomesTable;
  ingest_receipts: IngestReceiptsTable;
  backup_batches: BackupBatchesTable;
  backup_batch_jobs: BackupBatchJobsTable;
  idempotency_keys: IdempotencyKeysTable;
  snapshot_rechecks: SnapshotRechecksTable;
}

export type Tenant = Selectable<TenantsTable>;
export type NewTenant = Insertable<TenantsTable>;
export type ApiToken = Selectable<ApiTokensTable>;
export type NewApiToken = Insertable<ApiTokensTable>;
export type ApiTokenUpdate = Updateable<ApiTokensTable>;
export type Device = Selectable<DevicesTable>;
export type NewDevice = Insertable<DevicesTable>;
export type DeviceUpdate = Updateable<DevicesTable>;
export type ConfigSnapshot = Selectable<ConfigSnapshotsTable>;
export type NewConfigSnapshot = Insertable<ConfigSnapshotsTable>;
export type DeviceLatestSnapshot = Selectable<DeviceLatestSnapshotTable>;
export type ConfigDiff = Selectable<ConfigDiffsTable>;
export type NewConfigDiff = Insertable<ConfigDiffsTable>;
export type ConfigChange = Selectable<ConfigChangesTable>;
export type NewConfigChange = Insertable<ConfigChangesTable>;
export type AuditEvent = Selectable<AuditEventsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;
export type JobOutcome = Selectable<JobOutcomesTable>;
export type NewJobOutcome = Insertable<JobOutcomesTable>;
export type IngestReceipt = Selectable<IngestReceiptsTable>;
export type BackupBatch = Selectable<BackupBatchesTable>;
export type BackupBatchJob = Selectable<BackupBatchJobsTable>;
export type IdempotencyKey = Selectable<IdempotencyKeysTable>;
