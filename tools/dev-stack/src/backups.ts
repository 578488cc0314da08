import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import {
  BackupFailedEventCodec,
  type IngestedEvent,
  IngestedEventCodec,
  SnapshotEventCodec,
  type Wire,
} from "@netledger/contracts";
import type { Database } from "@netledger/db";
import type { Kysely } from "kysely";

/**
 * What the dev stack shows of the backups the ingestor's scheduler drives: it listens (core NATS,
 * read only) to what the collectors publish (snapshots, backup failures) and what the ingestor
 * announces after each commit (ingested events), and reads a stored version's structured changes
 * from PostgreSQL. It sends nothing: the scheduler enqueues the jobs, the collectors run them.
 */

/** One thing that happened to one device's backup. */
export type BackupEvent =
  | {
      readonly kind: "collected";
      readonly deviceId: string;
      readonly sha256: string;
      readonly bytes: number;
      readonly trigger: string;
    }
  | {
      readonly kind: "failed";
      readonly deviceId: string;
      readonly code: string;
      readonly permanent: boolean;
    }
  | { readonly kind: "ingested"; readonly event: IngestedEvent };

export interface BackupWatch {
  stop(): void;
}

/** Subscribes to the collectors' and the ingestor's announcements; `onEvent` gets each decoded one. */
export function watchBackups(nc: NatsConnection, wire: Wire, onEvent: (event: BackupEvent) => void): BackupWatch {
  const subs: Subscription[] = [];
  const listen = (subject: string, decode: (data: Uint8Array) => BackupEvent) => {
    subs.push(
      nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err) return;
          try {
            onEvent(decode(msg.data));
          } catch {
            // Not ours to judge: the ingestor dead-letters what does not decode.
          }
        },
      }),
    );
  };
  listen(wire.subjects.snapshotsAll, (data) => {
    const e = SnapshotEventCodec.decode(data);
    return { kind: "collected", deviceId: e.deviceId, sha256: e.sha256, bytes: e.bytes, trigger: e.trigger };
  });
  listen(wire.subjects.backupFailedAll, (data) => {
    const e = BackupFailedEventCodec.decode(data);
    return { kind: "failed", deviceId: e.deviceId, code: e.code, permanent: e.permanent };
  });
  listen(wire.subjects.ingestedAll, (data) => ({ kind: "ingested", event: IngestedEventCodec.decode(data) }));
  return {
    stop() {
      for (const sub of subs) sub.unsubscribe();
    },
  };
}

/** Structured changes shown under a stored version; the rest are counted. */
const MAX_CHANGE_LINES = 8;

/**
 * Lines of one event, e.g.
 * `sim-003 success  sha256 1f2e3d4c5b6a   20.1 KB  scheduled`,
 * `sim-005 failed   SSH_AUTH_FAILED (permanent)`,
 * `sim-003 stored   v4  2 changes: 1 added, 1 modified`, then one line per structured change.
 */
export async function formatBackupEvent(
  event: BackupEvent,
  nameOf: (deviceId: string) => string,
  nameWidth: number,
  db: Kysely<Database>,
): Promise<string[]> {
  switch (event.kind) {
    case "collected":
      return [
        `${nameOf(event.deviceId).padEnd(nameWidth)} success  sha256 ${event.sha256.slice(0, 12)}  ${formatBytes(event.bytes).padStart(9)}  ${event.trigger}`,
      ];
    case "failed":
      return [
        `${nameOf(event.deviceId).padEnd(nameWidth)} failed   ${event.code}${event.permanent ? " (permanent)" : " (retried)"}`,
      ];
    case "ingested": {
      const e = event.event;
      const name = nameOf(e.deviceId).padEnd(nameWidth);
      if (!e.changed) return [`${name} unchanged v${e.seq} (same sha256 as the stored version)`];
      const counts = Object.entries(e.changes).filter(([, n]) => n > 0);
      const total = counts.reduce((sum, [, n]) => sum + n, 0);
      const head = `${name} stored   v${e.seq}${e.seq === 1 ? " (first version)" : ""}${
        total > 0 ? `  ${total} change${total === 1 ? "" : "s"}: ${counts.map(([k, n]) => `${n} ${k}`).join(", ")}` : ""
      }`;
      return [head, ...(await changeLines(db, e.snapshotId, total))];
    }
  }
}

async function changeLines(db: Kysely<Database>, snapshotId: string, total: number): Promise<string[]> {
  if (total === 0) return [];
  const changes = await db
    .selectFrom("config_changes as c")
    .innerJoin("config_diffs as d", "d.id", "c.diff_id")
    .select(["c.kind", "c.path", "c.identity", "c.summary", "c.secret_changed"])
    .where("d.to_snapshot_id", "=", snapshotId)
    .orderBy("c.ordinal")
    .limit(MAX_CHANGE_LINES)
    .execute()
    .catch(() => []);
  const mark = { added: "+", removed: "-", modified: "~", moved: ">" } as const;
  const lines = changes.map(
    (c) =>
      `    ${mark[c.kind]} ${c.path}${c.identity ? ` [${c.identity}]` : ""}${c.summary ? `  ${c.summary}` : ""}${c.secret_changed ? "  (secret changed)" : ""}`,
  );
  if (total > changes.length) lines.push(`    … ${total - changes.length} more`);
  return lines;
}

function formatBytes(bytes: number): string {
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Where one device stands in the first round of backups. */
type RoundState = "pending" | "collected" | "stored" | "failed";

/**
 * The first round of `--once`: every device has its outcome when its backup is stored (ingested
 * event) — or collected, when no ingestor consumes snapshots — or failed permanently. Transient
 * failures are retried by the collectors and the scheduler, so they are not an outcome yet.
 */
export class FirstRound {
  readonly #state = new Map<string, RoundState>();

  constructor(
    deviceIds: readonly string[],
    private readonly expectIngest: boolean,
  ) {
    for (const id of deviceIds) this.#state.set(id, "pending");
  }

  record(event: BackupEvent): void {
    const id = event.kind === "ingested" ? event.event.deviceId : event.deviceId;
    const state = this.#state.get(id);
    if (state === undefined || state === "stored") return;
    if (event.kind === "ingested") this.#state.set(id, "stored");
    else if (event.kind === "collected") this.#state.set(id, "collected");
    else if (event.permanent && state === "pending") this.#state.set(id, "failed");
  }

  #final(state: RoundState): boolean {
    return state === "failed" || state === "stored" || (state === "collected" && !this.expectIngest);
  }

  /** Devices without an outcome yet. */
  pending(): string[] {
    return [...this.#state].filter(([, state]) => !this.#final(state)).map(([id]) => id);
  }

  succeeded(): string[] {
    return [...this.#state].filter(([, s]) => s === "stored" || s === "collected").map(([id]) => id);
  }

  failed(): string[] {
    return [...this.#state].filter(([, s]) => s === "failed").map(([id]) => id);
  }
}
