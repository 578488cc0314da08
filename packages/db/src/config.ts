import { env, parseConfig } from "@netledger/platform";
import { z } from "zod";

export const migrateConfigSchema = z.object({
  /** Database to migrate; created on its server when missing. */
  DATABASE_URL: env.databaseUrl(),
  LOG_LEVEL: env.logLevel(),
});

export type MigrateConfig = Readonly<z.infer<typeof migrateConfigSchema>>;

/** Configuration of the `migrate` command, parsed once from the environment. */
export function loadMigrateConfig(source: NodeJS.ProcessEnv = process.env): MigrateConfig {
  return parseConfig(migrateConfigSchema, source);
}
