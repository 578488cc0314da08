import { env, parseConfig } from "@netledger/platform";
import { z } from "zod";

const schema = z.object({
  /** Database to migrate; created on its server when missing. */
  DATABASE_URL: env.databaseUrl(),
  LOG_LEVEL: env.logLevel(),
});

export type MigrateConfig = Readonly<z.infer<typeof schema>>;

/** Configuration of the `migrate` command, parsed once from the environment. */
export function loadMigrateConfig(source: NodeJS.ProcessEnv = process.env): MigrateConfig {
  return parseConfig(schema, source);
}
