import { ConfigError, env, parseConfig, wireConfigShape } from "@netledger/platform";
import { z } from "zod";

const MiB = 1024 * 1024;

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optionalText = (schema: z.ZodString) => z.preprocess(blankToUndefined, schema.optional());

/**
 * Gateway settings, read once at start-up; a bad or missing key stops the process with a list
 * (names and rules, never values).
 * - NATS_URL, REDIS_URL, DATABASE_URL, NETLEDGER_NAMESPACE (+ stream sizes, see platform wireConfigShape).
 * - GATEWAY_PORT: the REST API (default 8080; 0 picks a free port).
 * - OPS_PORT: /healthz, /readyz, /metrics for probes and Prometheus (default 9101).
 * - NETLEDGER_SEAL_KEYS: key ring sealing device credentials (required).
 * - NETLEDGER_BOOTSTRAP_TOKEN / NETLEDGER_BOOTSTRAP_TOKEN_FILE: the platform-admin token, or a file
 *   holding it (a mounted Kubernetes Secret); at most one of the two; unset means no platform admin.
 * - GATEWAY_BODY_LIMIT: largest JSON body (default 1 MiB); GATEWAY_IMPORT_BODY_LIMIT: largest
 *   device import body, CSV or JSON (default 5 MiB).
 * - REDIS_KEY_PREFIX: prefix of the rate-limit keys (`<prefix>rl:<limiter>:<token hash>`).
 * - RATE_LIMIT_ON_STORE_ERROR: `reject` (503, default) or `allow` when Redis does not answer.
 * - TRIGGER_TIMEOUT_MS: longest wait for a collector's answer to "back up now" (default 90 s; 504 after).
 * - TRIGGER_INGEST_WAIT_MS: after a success, longest wait for the ingestor's confirmation (default 5 s;
 *   `stored: false` after).
 * - TRIGGER_BUS_GRACE_MS: how long NATS may stay unreachable during a trigger before 503 (default 15 s).
 * - TRIGGER_RATE_LIMIT_PER_MINUTE: triggers per token per minute, shared by every replica (default 10).
 */
export const gatewayConfigSchema = z.object({
  NATS_URL: env.natsUrl(),
  REDIS_URL: env.redisUrl(),
  REDIS_KEY_PREFIX: z.preprocess(blankToUndefined, z.string().default("netledger:")),
  DATABASE_URL: env.databaseUrl(),
  ...wireConfigShape,
  NETLEDGER_SEAL_KEYS: env.sealKeys(),
  NETLEDGER_BOOTSTRAP_TOKEN: optionalText(
    z.string().trim().min(32, { message: "must be at least 32 characters (use a random token)" }),
  ),
  NETLEDGER_BOOTSTRAP_TOKEN_FILE: optionalText(z.string()),
  LOG_LEVEL: env.logLevel(),
  GATEWAY_PORT: env.port(8080),
  OPS_PORT: env.port(9101),
  GATEWAY_BODY_LIMIT: env.byteSize(1 * MiB),
  GATEWAY_IMPORT_BODY_LIMIT: env.byteSize(5 * MiB),
  RATE_LIMIT_ON_STORE_ERROR: z.preprocess(blankToUndefined, z.enum(["reject", "allow"]).default("reject")),
  TRIGGER_TIMEOUT_MS: env.durationMs(90_000),
  TRIGGER_INGEST_WAIT_MS: env.durationMs(5_000),
  TRIGGER_BUS_GRACE_MS: env.durationMs(15_000),
  TRIGGER_RATE_LIMIT_PER_MINUTE: env.positiveInt(10),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export function loadGatewayConfig(source?: NodeJS.ProcessEnv): Readonly<GatewayConfig> {
  const config = parseConfig(gatewayConfigSchema, source);
  if (config.NETLEDGER_BOOTSTRAP_TOKEN !== undefined && config.NETLEDGER_BOOTSTRAP_TOKEN_FILE !== undefined) {
    throw new ConfigError(["NETLEDGER_BOOTSTRAP_TOKEN_FILE: set it or NETLEDGER_BOOTSTRAP_TOKEN, not both"]);
  }
  return config;
}
