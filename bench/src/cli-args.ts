import { parseArgs } from "node:util";
import { BenchUsageError } from "./errors.js";

/** What one benchmark run does; every field comes from a command-line flag. */
export interface BenchOptions {
  readonly devices: number;
  readonly latencyMs: number;
  readonly concurrency: number;
  readonly configBytes: number;
  readonly seed: number;
  /** Also run the trigger (request/reply) pass after the scheduled-jobs pass. */
  readonly triggers: boolean;
  /** Run the simulated fleet on a worker thread instead of the benchmark's own event loop. */
  readonly simThread: boolean;
  readonly json: boolean;
  /** Safety net per phase; a healthy run never gets near it. */
  readonly timeoutS: number;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  devices: 500,
  latencyMs: 200,
  concurrency: 100,
  configBytes: 32_768,
  seed: 1,
  triggers: true,
  simThread: false,
  json: false,
  timeoutS: 600,
};

export const USAGE = `Usage: npm run -w @netledger/bench collector -- [options]

  --devices N        simulated RouterOS devices (${DEFAULT_OPTIONS.devices})
  --latency-ms MS    delay before each device command answers (${DEFAULT_OPTIONS.latencyMs})
  --concurrency N    SSH sessions at once: bare pool size and COLLECTOR_CONCURRENCY (${DEFAULT_OPTIONS.concurrency})
  --config-bytes B   synthetic config size per device (${DEFAULT_OPTIONS.configBytes})
  --seed N           synthetic config seed (${DEFAULT_OPTIONS.seed})
  --skip-triggers    run only the bare ssh2 and scheduled-jobs passes
  --sim-thread       run the simulated fleet on a worker thread (its own event loop, the other core)
  --timeout-s S      safety deadline per phase (${DEFAULT_OPTIONS.timeoutS})
  --json             print one JSON document instead of the table
  --help`;

/** Parses the benchmark's flags; `"help"` when --help was given. Throws BenchUsageError. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions | "help" {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (err) {
    throw new BenchUsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return "help";
  const int = (name: keyof typeof values, fallback: number, min: number): number =>
    intFlag(name, values[name], fallback, min);
  return {
    devices: int("devices", DEFAULT_OPTIONS.devices, 1),
    latencyMs: int("latency-ms", DEFAULT_OPTIONS.latencyMs, 0),
    concurrency: int("concurrency", DEFAULT_OPTIONS.concurrency, 1),
    configBytes: int("config-bytes", DEFAULT_OPTIONS.configBytes, 1_000),
    seed: int("seed", DEFAULT_OPTIONS.seed, 0),
    triggers: !values["skip-triggers"],
    simThread: values["sim-thread"] === true,
    json: values.json === true,
    timeoutS: int("timeout-s", DEFAULT_OPTIONS.timeoutS, 1),
  };
}

/**
 * The integer value of flag `--name` (`raw` as parseArgs gave it), `fallback` when absent.
 * Throws BenchUsageError unless it is a whole number in [min, max].
 */
export function intFlag(
  name: string,
  raw: string | boolean | undefined,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== "string" || raw.trim() === "" || !Number.isInteger(n) || n < min || n > max)
    throw new BenchUsageError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** Flags every benchmark over a simulated fleet takes (`collector`, `fleet`). */
export const FLEET_FLAGS = {
  devices: { type: "string" },
  "latency-ms": { type: "string" },
  concurrency: { type: "string" },
  "config-bytes": { type: "string" },
  seed: { type: "string" },
  "timeout-s": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean" },
} as const;

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      ...FLEET_FLAGS,
      "skip-triggers": { type: "boolean" },
      "sim-thread": { type: "boolean" },
    },
  });
}

/** The exact command that reproduces a run with these options. */
export function reproduceCommand(options: BenchOptions): string {
  const flags = [
    `--devices ${options.devices}`,
    `--latency-ms ${options.latencyMs}`,
    `--concurrency ${options.concurrency}`,
    `--config-bytes ${options.configBytes}`,
    `--seed ${options.seed}`,
    ...(options.triggers ? [] : ["--skip-triggers"]),
    ...(options.simThread ? ["--sim-thread"] : []),
    ...(options.json ? ["--json"] : []),
  ];
  return `npm run -w @netledger/bench collector -- ${flags.join(" ")}`;
}

/** Node flags given as one string (`"--max-semi-space-size=4 --cpu-prof"`), as a child's argv words; "" gives none. */
export function nodeFlagsOf(flags: string): string[] {
  return flags.split(/\s+/).filter((flag) => flag !== "");
}
