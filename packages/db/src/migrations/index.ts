import type { Migration, MigrationProvider } from "kysely/migration";
import * as tenancy from "./0001-tenancy.js";
import * as devices from "./0002-devices.js";
import * as configHistory from "./0003-config-history.js";
import * as ingest from "./0004-ingest.js";
import * as scheduler from "./0005-scheduler.js";
import * as backupBatches from "./0007-backup-batches.js";
import * as hostKeyType from "./0008-host-key-type.js";
import * as snapshotRechecks from "./0009-snapshot-rechecks.js";

/** A migration and the name it is recorded under in `kysely_migration`. Names sort in apply order. */
export interface NamedMigration {
  readonly name: string;
  readonly migration: Migration;
}

/**
 * Every migration, in order. Listed by hand rather than read from the folder: FileMigrationProvider
 * cannot import `.ts` files under some runners (STACK-NOTES), and an explicit list is what a
 * bundler sees. A name, once shipped, never changes.
 */
export const migrations: readonly NamedMigration[] = Object.freeze([
  { name: "0001-tenancy", migration: tenancy },
  { name: "0002-devices", migration: devices },
  { name: "0003-config-history", migration: configHistory },
  { name: "0004-ingest", migration: ingest },
  { name: "0005-scheduler", migration: scheduler },
  { name: "0007-backup-batches", migration: backupBatches },
  { name: "0008-host-key-type", migration: hostKeyType },
  { name: "0009-snapshot-rechecks", migration: snapshotRechecks },
]);

/** Kysely migration provider over {@link migrations} (or a custom list, for tests). */
export function createMigrationProvider(list: readonly NamedMigration[] = migrations): MigrationProvider {
  return {
    async getMigrations() {
      return Object.fromEntries(list.map(({ name, migration }) => [name, migration]));
    },
  };
}
