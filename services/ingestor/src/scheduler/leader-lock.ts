import { createHash } from "node:crypto";
import type { Database } from "@netledger/db";
import type { DedicatedSession, Logger } from "@netledger/platform";
import { type Kysely, sql } from "kysely";

/**
 * Leader election among ingestor replicas with a PostgreSQL session-level advisory lock, held on
 * a dedicated connection: the leader is whoever holds it. PostgreSQL releases it when the
 * session ends — a stopped or killed leader at once, a vanished one when the server's TCP
 * keepalives give up (set on the session to about the lease) — and a follower takes it on its
 * next attempt. A leader that cannot confirm its session within the lease (query timeout) closes
 * it and steps down.
 *
 * Leadership is an efficiency, not the safety net: the enqueue transaction checks the lock is
 * still held by this session (see {@link LeaderLock.fence}) and locks and moves the devices' rows,
 * so even two replicas both believing they lead would enqueue each slot once.
 */
export interface LeaderLock {
  /**
   * Becomes or stays leader when it can: confirms a held lock, else tries to take it (never
   * waits). Resolves with whether this replica leads now; never throws.
   */
  acquire(): Promise<boolean>;
  readonly held: boolean;
  /**
   * True when, seen from inside `db`'s current transaction, this replica's session still holds
   * the lock: the fencing check of work done on another connection.
   */
  fence(db: Kysely<Database>): Promise<boolean>;
  /** Unlocks and closes the session. */
  release(): Promise<void>;
}

export interface LeaderLockOptions {
  /** Opens the dedicated session (platform `openDedicatedSession`, bound to the lease). */
  readonly openSession: () => Promise<DedicatedSession>;
  /** Lock name; the wire namespace, so installations sharing a database elect separately. */
  readonly name: string;
  readonly logger: Logger;
}

/** First key of the two-int advisory lock form: "NLSC" (NetLedger scheduler). */
const LOCK_CLASS = 0x4e4c5343;

/** Second key: 31 bits of sha256(name), non-negative so it reads back unchanged from `pg_locks.objid`. */
export function lockObjectId(name: string): number {
  return createHash("sha256").update(`scheduler:${name}`).digest().readUInt32BE(0) & 0x7fffffff;
}

export function createLeaderLock(options: LeaderLockOptions): LeaderLock {
  const objectId = lockObjectId(options.name);
  let session: DedicatedSession | undefined;
  let held = false;

  const drop = async (why: string, err?: unknown) => {
    if (held) options.logger.warn({ err, why }, "scheduler leadership lost");
    held = false;
    const old = session;
    session = undefined;
    await old?.close();
  };

  return {
    get held() {
      return held && session?.alive === true;
    },
    async acquire() {
      try {
        if (session && !session.alive) await drop("session ended");
        if (!session) session = await options.openSession();
        if (held) {
          await session.query("select 1");
          return true;
        }
        const [row] = await session.query<{ locked: boolean }>("select pg_try_advisory_lock($1, $2) as locked", [
          LOCK_CLASS,
          objectId,
        ]);
        held = row?.locked === true;
        return held;
      } catch (err) {
        await drop("session check failed", err);
        return false;
      }
    },
    async fence(db) {
      const pid = held ? session?.pid : undefined;
      if (pid === undefined || !session?.alive) return false;
      const { rows } = await sql<{ holds: boolean }>`
        select exists (
          select 1 from pg_locks
          where locktype = 'advisory' and classid = ${LOCK_CLASS}::int4::oid and objid = ${objectId}::int4::oid
            and objsubid = 2 and pid = ${pid} and granted
        ) as holds`.execute(db);
      return rows[0]?.holds === true;
    },
    async release() {
      const current = session;
      if (current?.alive && held) {
        await current
          .query("select pg_advisory_unlock($1, $2)", [LOCK_CLASS, objectId])
          .catch((err: unknown) =>
            options.logger.warn({ err }, "advisory unlock failed; closing the session frees it"),
          );
      }
      held = false;
      session = undefined;
      await current?.close();
    },
  };
}
