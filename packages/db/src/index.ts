// Placeholder so dependents type-check while the schema and migrations are being written.
import type { Kysely } from "kysely";

/** Applies every migration not yet applied. Throws if one fails. */
export async function migrateToLatest(_db: Kysely<any>): Promise<void> {}
