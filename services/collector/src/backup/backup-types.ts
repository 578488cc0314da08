import type { DeviceTarget, ErrorCode, PhaseTimings, SnapshotContent, TriggerKind } from "@netledger/contracts";

/** One backup to run, from a trigger request or a scheduled job. */
export interface BackupRequest {
  readonly trigger: TriggerKind;
  readonly tenantId: string;
  readonly deviceId: string;
  readonly device: DeviceTarget;
  /**
   * Nats-Msg-Id of the snapshot (`trigger:<requestId>`, `job:<jobId>`): a retried or redelivered
   * backup publishes under the same id, so JetStream keeps one message.
   */
  readonly snapshotMsgId: string;
  /** Msg id of this attempt's failure event; unique per attempt so each failed attempt is recorded once. */
  readonly failureMsgId: string;
  readonly jobId?: string | undefined;
  /**
   * Aborts the backup (collector shutdown): the SSH session is cut and closed, the lock released,
   * and the outcome is `interrupted` unless the snapshot was already published.
   */
  readonly signal?: AbortSignal | undefined;
}

/** How a backup ended, narrowed on `kind`. */
export type BackupOutcome =
  | {
      readonly kind: "success";
      readonly snapshotMsgId: string;
      readonly sha256: string;
      /** Bytes of the normalized text. */
      readonly bytes: number;
      readonly collectedAt: string;
      readonly hostKeyFingerprint: string;
      readonly hostKeyType?: string | null | undefined;
      readonly softwareVersion: string | null;
      /** JetStream already held this msg id (a redelivered job or retried trigger). */
      readonly duplicate: boolean;
      /** What the snapshot event carried: `stored` when the text repeated the device's latest version. */
      readonly content: SnapshotContent["kind"];
      readonly timings: PhaseTimings;
    }
  | { readonly kind: "locked"; readonly timings: PhaseTimings }
  /** Stopped by `request.signal` before a snapshot was published; nothing was stored or reported. */
  | { readonly kind: "interrupted"; readonly timings: PhaseTimings }
  | {
      readonly kind: "failed";
      readonly code: ErrorCode;
      /** Safe for users and logs. */
      readonly message: string;
      readonly permanent: boolean;
      readonly observedHostKeyFingerprint?: string | undefined;
      readonly observedHostKeyType?: string | undefined;
      /** What lay underneath (error names and messages, no secrets), for logs only. */
      readonly cause?: string | undefined;
      readonly timings: PhaseTimings;
    };

/** Runs one backup end to end; never throws (every failure is a `failed` outcome). */
export type BackupPipeline = (request: BackupRequest) => Promise<BackupOutcome>;

/** Limits applied to every backup. */
export interface BackupLimits {
  readonly connectTimeoutMs: number;
  /** No output for this long fails the command with SSH_TIMEOUT. */
  readonly commandTimeoutMs: number;
  /** Hard cap on one command, however steadily a slow device trickles output. */
  readonly commandDeadlineMs: number;
  readonly exportMaxBytes: number;
  /** A normalized export at least this large is read twice (see `second-read.ts`). */
  readonly secondReadMinBytes: number;
  readonly publishTimeoutMs: number;
}
