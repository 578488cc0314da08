import { env, parseConfig } from "@netledger/platform";
import { z } from "zod";

/** Gateway settings, read once at start-up; a bad or missing key stops the process with a list. */
export const gatewayConfigSchema = z.object({
  NATS_URL: env.natsUrl(),
  REDIS_URL: env.redisUrl(),
  DATABASE_URL: env.databaseUrl(),
  NETLEDGER_NAMESPACE: env.namespace(),
  LOG_LEVEL: env.logLevel(),
  /** /healthz, /readyz and /metrics. */
  OPS_PORT: env.port(9101),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export function loadGatewayConfig(source?: NodeJS.ProcessEnv): Readonly<GatewayConfig> {
  return parseConfig(gatewayConfigSchema, source);
}
