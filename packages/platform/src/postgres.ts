import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { backoffDelay, sleep } from "./backoff.js";
import { DatabaseUnavailableError } from "./errors.js";
import type { Logger } from "./logger.js";

const INT8_OID = 20;
const identity = (value: string) => value;

/**
 * Type parsers for our pools. int8 (bigint, `count(*)`, `sum()` of ints, bigserial ids) always
 * comes back as a string: JavaScript numbers lose precision above 2^53, and a pool-local config
 * keeps that true even if some library changes pg's global parsers. Everything else is pg's
 * default (int8[] → string[], numeric → string, int4 → number, timestamptz → Date).
 */
const typesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === INT8_OID) return identity;
    return pg.types.getTypeParser(oid, format ?? "text");
  }) as typeof pg.types.getTypeParser,
};

export interface DatabaseOptions {
  url: string;
  /** Pool size; default 10. */
  max?: number;
  logger: Logger;
  /** Shown in `pg_stat_activity.application_name`. */
  applicationName: string;
}

/**
 * A kysely instance over a pg pool. int8 columns are strings (see `typesConfig`). Errors of idle
 * pooled clients (server restart, network cut) are logged and the client is discarded instead
 * of crashing the process; the next query opens a new connection.
 */
export function createDatabase<DB>(options: DatabaseOptions): Kysely<DB> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    application_name: options.applicationName,
    connectionTimeoutMillis: 10_000,
    types: typesConfig,
  });
  pool.on("error", (err) => options.logger.error({ err: briefly(err) }, "idle PostgreSQL connection failed"));
  // pg-pool listens for errors of idle clients only: a server shutdown reaching a client that is
  // checked out between two statements (mid-transaction) would otherwise be an unhandled 'error'
  // event and end the process. Its next statement fails instead, and the caller handles that.
  pool.on("connect", (client) => {
    client.on("error", (err) => options.logger.warn({ err: briefly(err) }, "PostgreSQL connection in use failed"));
  });
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

/** Message and SQLSTATE of a pg error, without the client object pg hangs on it. */
function briefly(err: Error): { message: string; code?: string } {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? { message: err.message, code } : { message: err.message };
}

const WAIT_BACKOFF = { baseMs: 250, maxMs: 5_000 };

/**
 * Runs `select 1` until it succeeds, at most `attempts` times with exponential back-off.
 * @throws DatabaseUnavailableError (`DATABASE_UNAVAILABLE`) after the last failed attempt.
 */
// biome-ignore lint/suspicious/noExplicitAny: any database schema will do for `select 1`.
export async function waitForDatabase(db: Kysely<any>, options: { attempts: number; logger: Logger }): Promise<void> {
  const attempts = Math.max(1, options.attempts);
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`select 1`.execute(db);
      if (attempt > 1) options.logger.info({ attempt }, "database answers");
      return;
    } catch (cause) {
      if (attempt >= attempts) throw new DatabaseUnavailableError(attempts, { cause });
      const delayMs = backoffDelay(attempt, WAIT_BACKOFF);
      options.logger.warn({ attempt, attempts, delayMs, err: cause }, "database not answering, retrying");
      await sleep(delayMs);
    }
  }
}

/**
 * One PostgreSQL connection of its own, outside any pool: what session-scoped state needs, such
 * as an advisory lock that must live exactly as long as the connection. The subset of pg's Client
 * its users need.
 */
export interface DedicatedSession {
  /** `pg_backend_pid()` of the session. */
  readonly pid: number;
  /** False once the connection failed or was closed; a lost session never comes back. */
  readonly alive: boolean;
  query<Row extends object>(text: string, values?: readonly unknown[]): Promise<Row[]>;
  /** Closes the connection; PostgreSQL then releases the session's locks. Never throws. */
  close(): Promise<void>;
}

export interface DedicatedSessionOptions {
  url: string;
  applicationName: string;
  logger: Logger;
  /**
   * Bound on connecting and on each query, and on how long the server keeps the session of a
   * client that vanished (TCP keepalives set on the session): a dead holder loses its
   * session-scoped locks within about this time.
   */
  timeoutMs: number;
}

/** Opens a {@link DedicatedSession}. Rejects when the server does not answer within `timeoutMs`. */
export async function openDedicatedSession(options: DedicatedSessionOptions): Promise<DedicatedSession> {
  const keepaliveS = Math.max(1, Math.floor(options.timeoutMs / 3_000));
  const client = new pg.Client({
    connectionString: options.url,
    application_name: options.applicationName,
    connectionTimeoutMillis: options.timeoutMs,
    query_timeout: options.timeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: keepaliveS * 1_000,
    types: typesConfig,
  });
  let alive = true;
  client.on("error", (err) => {
    alive = false;
    options.logger.warn({ err }, "dedicated PostgreSQL session failed");
  });
  client.on("end", () => {
    alive = false;
  });
  try {
    await client.connect();
    // Server side: drop the session of a client that vanished (no FIN) within about timeoutMs.
    await client.query(
      `set tcp_keepalives_idle = ${keepaliveS}; set tcp_keepalives_interval = ${keepaliveS}; set tcp_keepalives_count = 1`,
    );
    const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
    const pid = rows[0]?.pid ?? 0;
    return {
      pid,
      get alive() {
        return alive;
      },
      async query<Row extends object>(text: string, values?: readonly unknown[]) {
        const result = await client.query<Row>(text, values ? [...values] : undefined);
        return result.rows;
      },
      async close() {
        alive = false;
        await client.end().catch(() => {});
      },
    };
  } catch (err) {
    alive = false;
    await client.end().catch(() => {});
    throw err;
  }
}
