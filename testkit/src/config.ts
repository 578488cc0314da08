import { env, parseConfig } from "@netledger/platform";
import { z } from "zod";

/** How a missing server may be replaced, in order of preference. */
export const FALLBACKS = ["containers", "binaries"] as const;
export type Fallback = (typeof FALLBACKS)[number];

const fallbackList = z
  .preprocess(
    (value) => (typeof value === "string" && value.trim() !== "" ? value : "auto"),
    z.string().transform((value) => value.split(",").map((entry) => entry.trim().toLowerCase())),
  )
  .pipe(
    z
      .array(z.enum(["auto", "none", ...FALLBACKS]))
      .transform((entries): Fallback[] =>
        entries.includes("auto") ? [...FALLBACKS] : FALLBACKS.filter((f) => entries.includes(f)),
      ),
  );

const schema = z.object({
  /** NATS server(s) to use; the first reachable one is used. */
  NATS_URL: env.natsUrl(),
  REDIS_URL: env.redisUrl(),
  /** Only the server and credentials matter: each world creates its own database there. */
  DATABASE_URL: env.databaseUrl(),
  /** `auto` (default: containers, then binaries), `none`, or a list such as `binaries`. */
  NETLEDGER_TESTKIT_FALLBACK: fallbackList,
  /** Where the Docker client would look for an engine (testcontainers fallback). */
  DOCKER_HOST: z.string().optional(),
  /** Searched for server binaries, then /usr/lib/postgresql/<version>/bin for PostgreSQL's. */
  /**
   * nats-server binary for private servers; default the one `scripts/provision-nats.sh` put in
   * `.cache/nats-server-2.10/`, else `nats-server` on PATH.
   */
  NETLEDGER_NATS_SERVER: z.preprocess(
    (v) => (typeof v === "string" && v.trim() ? v.trim() : undefined),
    z.string().optional(),
  ),
  PATH: z.string().default(""),
});

export type TestkitConfig = Readonly<z.infer<typeof schema>>;

let cached: TestkitConfig | undefined;

/** The testkit's environment, parsed once per process (the only reader of `process.env` here). */
export function testkitConfig(): TestkitConfig {
  cached ??= parseConfig(schema);
  return cached;
}
