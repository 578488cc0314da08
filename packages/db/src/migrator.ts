import type { Kysely } from "kysely";
import { type MigrationResultSet, Migrator } from "kysely/migration";
import { MigrationError } from "./errors.js";
import { migrations as allMigrations, createMigrationProvider, type NamedMigration } from "./migrations/index.js";

/**
 * Applies every migration not yet applied, in order, each in its own transaction, and returns
 * the names it applied (empty when already up to date). Safe to run from several processes at
 * once: kysely takes a PostgreSQL advisory lock for the run.
 * Throws {@link MigrationError} naming the failing migration.
 *
 * @example
 * const applied = await migrateToLatest(db); // ["0001-tenancy", ...] on a fresh database
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  list: readonly NamedMigration[] = allMigrations,
): Promise<string[]> {
  return applied(await createMigrator(db, list).migrateToLatest());
}

/**
 * Reverts the most recently applied migration and returns its name (empty when none is applied).
 * For development and tests; production only ever migrates forward.
 */
export async function migrateDown<DB>(
  db: Kysely<DB>,
  list: readonly NamedMigration[] = allMigrations,
): Promise<string[]> {
  return applied(await createMigrator(db, list).migrateDown());
}

function createMigrator<DB>(db: Kysely<DB>, list: readonly NamedMigration[]): Migrator {
  return new Migrator({ db, provider: createMigrationProvider(list) });
}

function applied({ error, results = [] }: MigrationResultSet): string[] {
  if (error !== undefined) {
    throw new MigrationError(results.find((r) => r.status === "Error")?.migrationName, { cause: error });
  }
  return results.filter((r) => r.status === "Success").map((r) => r.migrationName);
}
