/**
 * `npm run -w @netledger/db migrate`: creates the database named by DATABASE_URL when missing,
 * applies every pending migration and logs each one it applied. Exits 1 naming the failing
 * migration. Logs go through the platform logger, so no URL credentials are printed.
 */
import { createDatabase, createLogger } from "@netledger/platform";
import { loadMigrateConfig, type MigrateConfig } from "./config.js";
import { databaseNameOf, ensureDatabase } from "./database-admin.js";
import { migrateToLatest } from "./migrator.js";
import type { Database } from "./schema.js";

async function main(): Promise<void> {
  let config: MigrateConfig;
  try {
    config = loadMigrateConfig();
  } catch (err) {
    console.error(`migrate: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
    return;
  }
  const logger = createLogger({ name: "migrate", level: config.LOG_LEVEL });
  const database = databaseNameOf(config.DATABASE_URL);
  try {
    if (await ensureDatabase(config.DATABASE_URL)) logger.info({ database }, "created database");
    const db = createDatabase<Database>({
      url: config.DATABASE_URL,
      max: 1,
      logger,
      applicationName: "netledger-migrate",
    });
    try {
      const applied = await migrateToLatest(db);
      for (const migration of applied) logger.info({ database, migration }, "applied migration");
      logger.info(
        { database, applied: applied.length },
        applied.length ? "database migrated" : "database already up to date",
      );
    } finally {
      await db.destroy();
    }
  } catch (err) {
    logger.error({ database, err }, "migrate failed");
    process.exitCode = 1;
  }
}

await main();
