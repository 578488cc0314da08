import { env, parseConfig, wireConfigShape } from "@netledger/platform";
import { z } from "zod";
import { retentionConfigShape } from "./retention/retention-config.js";
import { schedulerConfigShape } from "./scheduler/scheduler-config.js";

/** Ingestor settings, read once at start-up; a bad or missing key stops the process with a list. */
export const ingestorConfigSchema = z.object({
  NATS_URL: env.natsUrl(),
  DATABASE_URL: env.databaseUrl(),
  ...wireConfigShape,
  NETLEDGER_SEAL_KEYS: env.sealKeys(),
  LOG_LEVEL: env.logLevel(),
  /** /healthz, /readyz and /metrics. */
  OPS_PORT: env.port(9103),
  ...schedulerConfigShape,
  ...retentionConfigShape,
});

export type IngestorConfig = z.infer<typeof ingestorConfigSchema>;

export function loadIngestorConfig(source?: NodeJS.ProcessEnv): Readonly<IngestorConfig> {
  return parseConfig(ingestorConfigSchema, source);
}
