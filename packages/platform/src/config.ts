import { createWire, DEFAULT_NAMESPACE } from "@netledger/contracts";
import { z } from "zod";
import { ConfigError, SealError } from "./errors.js";
import { type KeyRing, parseKeyRing } from "./seal.js";

/**
 * Configuration parsing. This module is the only reader of `process.env` in the repository:
 * each service declares a zod object schema of its environment keys built from {@link env},
 * parses it once at start-up and hands the frozen result to the rest of its code.
 *
 * @example
 * const schema = z.object({ NATS_URL: env.natsUrl(), OPS_PORT: env.port(9464), NETLEDGER_SEAL_KEYS: env.sealKeys() });
 * const config = parseConfig(schema); // throws ConfigError listing every bad key
 */

/**
 * Validates `env` (default `process.env`) against `schema`. Throws {@link ConfigError} listing
 * every missing or invalid key; problems name keys and rules, never the offending values.
 * The result is deep-frozen (plain objects and arrays; Maps and Buffers inside stay as they are).
 */
export function parseConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<z.infer<S>> {
  const result = schema.safeParse(env, { reportInput: false });
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => describeIssue(issue, env)));
  }
  return deepFreeze(result.data) as Readonly<z.infer<S>>;
}

function describeIssue(issue: z.core.$ZodIssue, env: NodeJS.ProcessEnv): string {
  const [first, ...rest] = issue.path;
  const key = `${String(first ?? "(root)")}${rest.map((part) => (typeof part === "number" ? ` entry ${part + 1}` : `.${String(part)}`)).join("")}`;
  const missing = typeof first === "string" && isBlank(env[first]);
  if (missing && issue.code === "invalid_type") return `${key}: is required`;
  return `${key}: ${issue.message}`;
}

function deepFreeze<T>(value: T): T {
  if (Array.isArray(value) || (value !== null && typeof value === "object" && isPlainObject(value))) {
    for (const inner of Object.values(value as object)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isBlank(value: unknown): boolean {
  return value === undefined || (typeof value === "string" && value.trim() === "");
}

/** An unset or blank variable (`FOO=` in a manifest) counts as absent, so defaults apply. */
const blankToUndefined = (value: unknown) => (isBlank(value) ? undefined : value);

function withDefault<T>(schema: z.ZodType<T, string>, def: string): z.ZodType<T> {
  return z.preprocess(blankToUndefined, z.string().default(def).pipe(schema));
}

function required<T>(schema: z.ZodType<T, string>): z.ZodType<T> {
  return z.preprocess(blankToUndefined, z.string().pipe(schema));
}

function url(protocols: readonly string[], what: string) {
  return z.string().refine(
    (value) => {
      try {
        const parsed = new URL(value);
        return protocols.includes(parsed.protocol) && parsed.hostname !== "";
      } catch {
        return false;
      }
    },
    { message: `must be a ${what} URL (${protocols.map((p) => `${p}//`).join(", ")})` },
  );
}

function commaList(item: z.ZodType<string, string>) {
  return z
    .string()
    .transform((value) =>
      value
        .split(",")
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).min(1, { message: "must list at least one entry" }));
}

const NATS_PROTOCOLS = ["nats:", "tls:", "ws:", "wss:"];
/** nats.js accepts `host:port` without a scheme; validate those as `nats://host:port`. */
const natsServer = z.string().refine(
  (value) => {
    try {
      const parsed = new URL(/^[a-z]+:\/\//i.test(value) ? value : `nats://${value}`);
      return NATS_PROTOCOLS.includes(parsed.protocol) && parsed.hostname !== "";
    } catch {
      return false;
    }
  },
  { message: "each entry must be a NATS server URL (nats://, tls://, ws://, wss:// or host:port)" },
);
const redisUrlSchema = url(["redis:", "rediss:"], "Redis");

const wholeNumber = z.string().trim().regex(/^\d+$/, { message: "must be a whole number" }).transform(Number);

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const DURATION_PATTERN = /^(\d+)(ms|s|m|h)?$/;
const duration = z
  .string()
  .trim()
  .regex(DURATION_PATTERN, { message: "must be a duration: milliseconds, or a number with ms, s, m or h" })
  .transform((value) => {
    const [, amount = "0", unit = "ms"] = DURATION_PATTERN.exec(value) ?? [];
    return Number(amount) * (DURATION_UNITS[unit] ?? 1);
  });

const BYTE_UNITS: Record<string, number> = {
  "": 1,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
};
const BYTES_PATTERN = /^(\d+)\s*(k|kib|m|mib|g|gib)?$/i;
const byteSize = z
  .string()
  .trim()
  .regex(BYTES_PATTERN, { message: "must be a size: bytes, or a number with KiB, MiB or GiB" })
  .transform((value) => {
    const [, amount = "0", unit = ""] = BYTES_PATTERN.exec(value) ?? [];
    return Number(amount) * (BYTE_UNITS[unit.toLowerCase()] ?? 1);
  });

const TRUE_WORDS = ["true", "1", "yes", "on"];
const FALSE_WORDS = ["false", "0", "no", "off"];
const boolean = z
  .string()
  .trim()
  .toLowerCase()
  .refine((value) => TRUE_WORDS.includes(value) || FALSE_WORDS.includes(value), {
    message: `must be one of ${[...TRUE_WORDS, ...FALSE_WORDS].join(", ")}`,
  })
  .transform((value) => TRUE_WORDS.includes(value));

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Reusable field builders for services' config schemas. Every builder accepts the raw
 * environment string; blank counts as unset. Defaults are the local development servers.
 */
export const env = {
  /** `NATS_URL`: comma-separated server list → `string[]`. */
  natsUrl: (): z.ZodType<string[]> => withDefault(commaList(natsServer), "nats://127.0.0.1:4222"),
  /** `REDIS_URL`: one Redis URL (redis:// or rediss://). */
  redisUrl: (): z.ZodType<string> => withDefault(redisUrlSchema, "redis://127.0.0.1:6379"),
  /** `REDIS_LOCK_URLS`: comma-separated independent Redis masters for Redlock. */
  redisUrls: (): z.ZodType<string[]> => withDefault(commaList(redisUrlSchema), "redis://127.0.0.1:6379"),
  /** `DATABASE_URL`: PostgreSQL connection URL. */
  databaseUrl: (): z.ZodType<string> =>
    withDefault(url(["postgres:", "postgresql:"], "PostgreSQL"), "postgres://postgres@127.0.0.1:5432/netledger"),
  /** `NETLEDGER_NAMESPACE`: the wire namespace, validated by the same rule as `createWire`. */
  namespace: (): z.ZodType<string> =>
    withDefault(
      z.string().refine(isValidNamespace, {
        message: "must start with a lowercase letter, then up to 31 of a-z, 0-9, _ or -",
      }),
      DEFAULT_NAMESPACE,
    ),
  /** `NETLEDGER_SEAL_KEYS`: `id:base64key[,...]` → {@link KeyRing}. Required; problems never show key material. */
  sealKeys: (): z.ZodType<KeyRing> =>
    required(
      z.string().transform((spec, ctx) => {
        try {
          return parseKeyRing(spec);
        } catch (err) {
          ctx.addIssue({ code: "custom", message: err instanceof SealError ? err.message : "invalid key ring" });
          return z.NEVER;
        }
      }),
    ),
  /** `LOG_LEVEL`: a pino level, default `info`. */
  logLevel: (): z.ZodType<LogLevel> =>
    withDefault(z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(", ")}` }), "info"),
  /** A TCP port, 0-65535 (0 lets the OS choose, handy in tests). */
  port: (def: number): z.ZodType<number> =>
    withDefault(wholeNumber.pipe(z.number().max(65535, { message: "must be a port (0-65535)" })), String(def)),
  /** Milliseconds: `1500`, or with a unit `1500ms`, `30s`, `5m`, `1h`. */
  durationMs: (def: number): z.ZodType<number> => withDefault(duration, String(def)),
  /** Like {@link env.durationMs} but at least 1 ms: a zero lifetime or timeout makes no sense. */
  positiveDurationMs: (def: number): z.ZodType<number> =>
    withDefault(duration.pipe(z.number().min(1, { message: "must be longer than 0" })), String(def)),
  /** Bytes: `1048576`, or with a unit `512KiB`, `256MiB`, `8GiB` (K/M/G are binary too). */
  byteSize: (def: number): z.ZodType<number> => withDefault(byteSize, String(def)),
  /** A whole number ≥ 1. */
  positiveInt: (def: number): z.ZodType<number> =>
    withDefault(wholeNumber.pipe(z.number().min(1, { message: "must be at least 1" })), String(def)),
  /** `true/false`, `1/0`, `yes/no`, `on/off` (any case). */
  bool: (def: boolean): z.ZodType<boolean> => withDefault(boolean, String(def)),
  /** A whole number within `min`..`max` (inclusive). */
  intInRange: (def: number, min: number, max: number): z.ZodType<number> =>
    withDefault(
      wholeNumber.pipe(
        z
          .number()
          .min(min, { message: `must be at least ${min}` })
          .max(max, { message: `must be at most ${max}` }),
      ),
      String(def),
    ),
  /** Comma-separated durations (`5m,15m,1h`) → milliseconds; `off` → an empty list. */
  durationListMs: (def: string): z.ZodType<number[]> =>
    withDefault(
      z.string().transform((value, ctx) => {
        if (value.trim().toLowerCase() === "off") return [];
        const parts = value.split(",").map((part) => duration.safeParse(part));
        if (parts.some((part) => !part.success)) {
          ctx.addIssue({ code: "custom", message: "must be comma-separated durations (5m,15m,1h) or off" });
          return z.NEVER;
        }
        return parts.map((part) => (part.success ? part.data : 0));
      }),
      def,
    ),
};

function isValidNamespace(value: string): boolean {
  try {
    createWire(value);
    return true;
  } catch {
    return false;
  }
}
