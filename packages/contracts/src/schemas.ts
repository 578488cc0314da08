import { z } from "zod";
import { ERROR_CODES } from "./errors.js";

/**
 * Version of the normalization rules; bump when normalized text (and so sha256) would change.
 * Each snapshot carries the version it was normalized with. 2: RouterOS CAPsMAN channel status
 * comments and text printed before the export header are dropped. A consumer comparing a new
 * snapshot with one of an older version re-normalizes the older full text (sealed, so always at
 * hand) with the current driver before comparing hashes, so a bump makes no false version.
 */
export const NORMALIZATION_VERSION = 2;

/**
 * Version of the drivers' redacted projection (`DeviceDriver.redactSecrets`). The projection is
 * derived from the sealed full text, never the identity of a version: re-derive both sides with
 * the current rules before diffing projections of different versions. 2: value-based redaction
 * (a secret value is masked wherever it appears) and secret-named script variables/parameters.
 */
export const REDACTION_VERSION = 2;

export const DRIVERS = ["routeros"] as const;
export const DriverSchema = z.enum(DRIVERS);
export type Driver = z.infer<typeof DriverSchema>;

export const ErrorCodeSchema = z.enum(ERROR_CODES);

const Id = z.uuid();
const Timestamp = z.iso.datetime({ offset: true });
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, "expected lowercase hex sha256");
/**
 * SSH public key type as named in the key blob and by OpenSSH: `ssh-ed25519`, `ssh-rsa`,
 * `ecdsa-sha2-nistp256`, ... A host-key pin is one fingerprint of one key type.
 */
export const HostKeyTypeSchema = z.string().regex(/^[a-z0-9][a-z0-9@.-]{2,63}$/, "expected an SSH key type");
/** OpenSSH-style `SHA256:<base64 without padding>` host-key fingerprint. */
export const FingerprintSchema = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "expected SHA256:<base64>");
/** Output of platform `sealString`: `v1:<keyId>:<base64url>`; never plaintext. */
export const SealedSchema = z.string().regex(/^v1:[A-Za-z0-9_-]{1,64}:[A-Za-z0-9_-]+$/, "expected sealed value");

/** What a collector needs to reach one device. Travels in triggers and jobs: collectors have no database. */
export const DeviceTargetSchema = z.strictObject({
  name: z.string().min(1).max(255),
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  driver: DriverSchema,
  /** Sealed JSON of {@link DeviceCredentialsSchema}. */
  credentials: SealedSchema,
  /** Pinned host key; null until the first successful backup pins it. */
  hostKeyFingerprint: FingerprintSchema.nullable(),
  /**
   * Type of the pinned key (from the snapshot event that pinned it). The collector asks the device
   * for that type first; without it, a device that also offers another type costs extra
   * connections (the collector tries each type before calling the key a mismatch).
   */
  hostKeyType: HostKeyTypeSchema.nullable().optional(),
  /** Last software version seen (e.g. "6.49.10"), so the driver picks the right export command first time. */
  softwareVersion: z.string().max(64).nullable().optional(),
  /**
   * Bytes of the normalized text of the device's latest stored version, when there is one. The
   * collector reads an export again when it comes back smaller than this (a device that stopped
   * an export early with a normal exit status).
   */
  lastSnapshotBytes: z.number().int().nonnegative().nullable().optional(),
  /**
   * sha256 of the device's latest stored version, when there is one. A collector whose export
   * hashes to it sends no content (`SnapshotEvent.content.kind: "stored"`): most backups find the
   * config unchanged, and their text is then neither sealed nor carried on the stream.
   */
  lastSnapshotSha256: Sha256.nullable().optional(),
});
export type DeviceTarget = z.infer<typeof DeviceTargetSchema>;

/** Plaintext of `DeviceTarget.credentials` once opened. Never logged, never on the wire unsealed. */
export const DeviceCredentialsSchema = z
  .strictObject({
    username: z.string().min(1).max(255),
    password: z.string().max(1024).optional(),
    privateKey: z.string().max(16_384).optional(),
    passphrase: z.string().max(1024).optional(),
  })
  .refine((c) => c.password !== undefined || c.privateKey !== undefined, {
    message: "password or privateKey required",
  });
export type DeviceCredentials = z.infer<typeof DeviceCredentialsSchema>;

export const TriggerKindSchema = z.enum(["manual", "scheduled"]);
export type TriggerKind = z.infer<typeof TriggerKindSchema>;

/** Gateway → collector (core NATS request, queue group). */
export const TriggerRequestSchema = z.strictObject({
  requestId: Id,
  tenantId: Id,
  deviceId: Id,
  device: DeviceTargetSchema,
  requestedAt: Timestamp,
  /**
   * When the requester stops waiting. A collector drops a request whose deadline has passed before
   * it starts (the requester has answered 504 already). Absent: the collector's own default.
   */
  deadlineAt: Timestamp.optional(),
});
export type TriggerRequest = z.infer<typeof TriggerRequestSchema>;

export const PhaseTimingsSchema = z.strictObject({
  lockMs: z.number().nonnegative(),
  connectMs: z.number().nonnegative(),
  exportMs: z.number().nonnegative(),
  publishMs: z.number().nonnegative(),
  totalMs: z.number().nonnegative(),
});
export type PhaseTimings = z.infer<typeof PhaseTimingsSchema>;

/** Collector → gateway reply. One of three outcomes, narrowed on `kind`. */
export const TriggerReplySchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("success"),
    requestId: Id,
    snapshotMsgId: z.string().min(1),
    sha256: Sha256,
    bytes: z.number().int().nonnegative(),
    collectedAt: Timestamp,
    hostKeyFingerprint: FingerprintSchema,
    timings: PhaseTimingsSchema,
  }),
  z.strictObject({
    kind: z.literal("locked"),
    requestId: Id,
    code: z.literal("DEVICE_LOCKED"),
  }),
  z.strictObject({
    kind: z.literal("failed"),
    requestId: Id,
    code: ErrorCodeSchema,
    /** Safe for users: never holds credentials or config text. */
    message: z.string().max(500),
  }),
  /** The replica's trigger queue is full: nothing was started; ask again after `retryAfterMs`. */
  z.strictObject({
    kind: z.literal("busy"),
    requestId: Id,
    retryAfterMs: z.number().int().nonnegative(),
  }),
]);
export type TriggerReply = z.infer<typeof TriggerReplySchema>;

/** Scheduler → collectors, on the work-queue stream. */
export const BackupJobSchema = z.strictObject({
  jobId: z.string().min(1).max(200),
  tenantId: Id,
  deviceId: Id,
  device: DeviceTargetSchema,
  dueAt: Timestamp,
  /** Set on jobs of a bulk backup (`POST /api/tenants/{tid}/backups`). */
  batchId: Id.optional(),
});
export type BackupJob = z.infer<typeof BackupJobSchema>;

const InlineContentSchema = z.strictObject({ kind: z.literal("inline"), sealedGzipBase64: z.string().min(1) });
const ObjectContentSchema = z.strictObject({
  kind: z.literal("object"),
  bucket: z.string().min(1),
  name: z.string().min(1),
  sealedBytes: z.number().int().positive(),
});

/**
 * Where the snapshot text is. Content is always gzip'd then sealed (AES-256-GCM) before it
 * leaves the collector, so the stream never holds config text in the clear.
 * Small content travels inline; larger goes to the snapshot object-store bucket. `stored`: none
 * travels, because the normalized text hashed to the `lastSnapshotSha256` the request carried:
 * the text is that of the device's stored version with the event's sha256 (the ingestor reads
 * it there, or asks for the device to be read again if that version is gone).
 */
export const SnapshotContentSchema = z.discriminatedUnion("kind", [
  InlineContentSchema,
  ObjectContentSchema,
  z.strictObject({ kind: z.literal("stored") }),
]);
export type SnapshotContent = z.infer<typeof SnapshotContentSchema>;
/** Content that travels (inline or in the object store), as `sealSnapshotContent` makes it. */
export type SentSnapshotContent = Exclude<SnapshotContent, { kind: "stored" }>;

/** Collector → ingestor, on the snapshots stream, published with `Nats-Msg-Id: msgId`. */
export const SnapshotEventSchema = z.strictObject({
  msgId: z.string().min(1).max(200),
  tenantId: Id,
  deviceId: Id,
  trigger: TriggerKindSchema,
  jobId: z.string().min(1).max(200).optional(),
  driver: DriverSchema,
  /** e.g. RouterOS "7.16.1", when the export header says. */
  softwareVersion: z.string().max(64).nullable(),
  sha256: Sha256,
  /** Bytes of the normalized text. */
  bytes: z.number().int().nonnegative(),
  collectedAt: Timestamp,
  normalizationVersion: z.number().int().positive(),
  hostKeyFingerprint: FingerprintSchema,
  /** Type of that key; store it with the pin and send it back as `DeviceTarget.hostKeyType`. */
  hostKeyType: HostKeyTypeSchema.optional(),
  content: SnapshotContentSchema,
});
export type SnapshotEvent = z.infer<typeof SnapshotEventSchema>;

/** Collector → ingestor, on the events stream. */
export const BackupFailedEventSchema = z.strictObject({
  msgId: z.string().min(1).max(200),
  tenantId: Id,
  deviceId: Id,
  trigger: TriggerKindSchema,
  jobId: z.string().min(1).max(200).optional(),
  code: ErrorCodeSchema,
  message: z.string().max(500),
  permanent: z.boolean(),
  occurredAt: Timestamp,
  /** Set with SSH_HOSTKEY_MISMATCH so an admin can review the new key. */
  observedHostKeyFingerprint: FingerprintSchema.optional(),
  /** Type of the observed key, when readable. */
  observedHostKeyType: HostKeyTypeSchema.optional(),
});
export type BackupFailedEvent = z.infer<typeof BackupFailedEventSchema>;

/** Counts of structured changes in one ingested version, by kind. */
export const ChangeCountsSchema = z.strictObject({
  added: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  modified: z.number().int().nonnegative(),
  moved: z.number().int().nonnegative(),
});
export type ChangeCounts = z.infer<typeof ChangeCountsSchema>;

/**
 * Ingestor → anyone (events stream, `Nats-Msg-Id: ingested:<sourceMsgId>`): one snapshot message
 * was persisted. `changed: false` means the config equals the latest version (nothing new stored,
 * `snapshotId` is that latest version). The gateway matches `sourceMsgId` to answer a trigger with
 * the stored snapshot id; webhooks build on the `changed: true` ones. Holds no config text.
 * `heldBack: true`: the export was not stored but held back as a suspected truncation (it lost
 * lines against the latest version, which still stands as `snapshotId`); the device is read again.
 */
export const IngestedEventSchema = z.strictObject({
  sourceMsgId: z.string().min(1).max(200),
  tenantId: Id,
  deviceId: Id,
  trigger: TriggerKindSchema,
  jobId: z.string().min(1).max(200).optional(),
  snapshotId: Id,
  seq: z.number().int().positive(),
  sha256: Sha256,
  changed: z.boolean(),
  changes: ChangeCountsSchema,
  heldBack: z.literal(true).optional(),
  ingestedAt: Timestamp,
});
export type IngestedEvent = z.infer<typeof IngestedEventSchema>;

/** A job that could not be processed (undecodable or out of deliveries), kept for operators. */
export const DeadLetterSchema = z.strictObject({
  reason: z.string().max(500),
  /** Which consumer gave up on it; absent on the collectors' job dead letters. */
  source: z.enum(["jobs", "snapshots", "events"]).optional(),
  streamSequence: z.number().int().nonnegative(),
  deliveries: z.number().int().nonnegative(),
  /** The original payload, base64, since it may not even be JSON. Jobs hold no plaintext secrets. */
  payloadBase64: z.string(),
  occurredAt: Timestamp,
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;
