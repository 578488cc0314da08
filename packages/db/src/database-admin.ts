import pg from "pg";
import { DatabaseCreateError } from "./errors.js";

/** Databases to hold the admin connection on, in order (`postgres` may have been dropped). */
const MAINTENANCE_DATABASES = ["postgres", "template1"];
const DUPLICATE_DATABASE = "42P04";
const UNIQUE_VIOLATION = "23505";
const INVALID_CATALOG_NAME = "3D000";

/**
 * Creates the database named in `databaseUrl` if it does not exist yet and returns true when it
 * created it. A database that accepts a connection is left alone, so an account without
 * CREATEDB (managed PostgreSQL) works when the database exists; a missing one is created over
 * the same server's maintenance database. Concurrent callers are safe: losing the race to
 * another `CREATE DATABASE` counts as "exists".
 */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const name = databaseNameOf(databaseUrl);
  const probe = new pg.Client({ connectionString: databaseUrl });
  try {
    await probe.connect();
    return false;
  } catch (err) {
    if ((err as { code?: string }).code !== INVALID_CATALOG_NAME) throw err;
  } finally {
    await probe.end().catch(() => {});
  }
  return withMaintenanceClient(databaseUrl, async (client) => {
    try {
      await client.query(`create database ${client.escapeIdentifier(name)}`);
      return true;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === DUPLICATE_DATABASE || code === UNIQUE_VIOLATION) return false;
      throw new DatabaseCreateError(name, { cause: err });
    }
  });
}

/**
 * Drops the database named in `databaseUrl` if it exists, ending its sessions first.
 * For tests and tooling (testkit worlds); no service calls it.
 */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = databaseNameOf(databaseUrl);
  await withMaintenanceClient(databaseUrl, async (client) => {
    // WITH (FORCE) ends other sessions too; terminating first also covers servers before 13.
    await client.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
      [name],
    );
    await client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`);
  });
}

/** The database a PostgreSQL URL names (`postgres://host/<name>`); defaults like libpq to the user name. */
export function databaseNameOf(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, "")) || decodeURIComponent(url.username);
  if (!name) throw new TypeError("database URL names no database");
  return name;
}

/** The same URL pointing at another database of the same server. */
export function withDatabaseName(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

async function withMaintenanceClient<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (const maintenance of MAINTENANCE_DATABASES) {
    const client = new pg.Client({ connectionString: withDatabaseName(databaseUrl, maintenance) });
    try {
      await client.connect();
    } catch (err) {
      lastError = err;
      await client.end().catch(() => {});
      if ((err as { code?: string }).code === INVALID_CATALOG_NAME) continue;
      throw err;
    }
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
  throw lastError;
}
