import { parseArgs } from "node:util";
import { COLLECTOR_NODE_FLAGS } from "@netledger/collector";
import { FLEET_FLAGS, intFlag } from "./cli-args.js";
import { BenchUsageError } from "./errors.js";

/** What one fleet benchmark run does; every field comes from a command-line flag. */
export interface FleetOptions {
  readonly devices: number;
  readonly latencyMs: number;
  readonly configBytes: number;
  readonly seed: number;
  /** Collector processes. */
  readonly collectors: number;
  /** `COLLECTOR_CONCURRENCY` of each collector; the bare pass runs collectors × this many sessions. */
  readonly concurrency: number;
  /** Share of devices whose config changes between pass 1 and pass 2 (at least one device when > 0). */
  readonly changedPct: number;
  /** The ingestor's `SCHEDULER_TICK_MS`. */
  readonly tickMs: number;
  /** The ingestor's `INGEST_CONCURRENCY`; null leaves the service default. */
  readonly ingestConcurrency: number | null;
  /**
   * Node flags of the collector processes, on their command line: by default the ones a replica
   * ships with (`COLLECTOR_NODE_FLAGS`); empty for Node's defaults; `--cpu-prof` works too.
   */
  readonly collectorNodeOptions: string;
  /** Node flags of the ingestor process, on its command line; empty for none. */
  readonly ingestorNodeOptions: string;
  /** Register devices without host key and software version (first contact after an import). */
  readonly unpinned: boolean;
  readonly bare: boolean;
  readonly output: "text" | "json" | "markdown";
  /** Safety net per pass; a healthy run never gets near it. */
  readonly timeoutS: number;
}

export const DEFAULT_FLEET_OPTIONS: FleetOptions = {
  devices: 500,
  latencyMs: 200,
  configBytes: 32_768,
  seed: 1,
  collectors: 2,
  concurrency: 50,
  changedPct: 10,
  tickMs: 1_000,
  ingestConcurrency: null,
  collectorNodeOptions: COLLECTOR_NODE_FLAGS.join(" "),
  ingestorNodeOptions: "",
  unpinned: false,
  bare: true,
  output: "text",
  timeoutS: 900,
};

const D = DEFAULT_FLEET_OPTIONS;
export const FLEET_USAGE = `Usage: npm run -w @netledger/bench fleet -- [options]

  --devices N             simulated RouterOS devices (${D.devices})
  --latency-ms MS         delay before each device command answers (${D.latencyMs})
  --config-bytes B        synthetic config size per device (${D.configBytes})
  --seed N                synthetic config seed (${D.seed})
  --collectors N          collector processes (${D.collectors})
  --concurrency N         COLLECTOR_CONCURRENCY of each; the bare pass uses collectors × N sessions (${D.concurrency})
  --changed-pct P         devices whose config changes before pass 2, percent (${D.changedPct})
  --tick-ms MS            the ingestor's SCHEDULER_TICK_MS (${D.tickMs})
  --ingest-concurrency N  the ingestor's INGEST_CONCURRENCY (service default)
  --collector-node-options=OPTS
                          Node flags of the collectors (${D.collectorNodeOptions}, as shipped);
                          --collector-node-options= for Node's defaults
  --ingestor-node-options=OPTS
                          Node flags of the ingestor (--cpu-prof works too)
  --unpinned              register devices without host key and version (first contact, as after an import)
  --skip-bare             leave out the bare ssh2 pass
  --timeout-s S           safety deadline per pass (${D.timeoutS})
  --json                  print one JSON document instead of tables
  --markdown              print markdown tables (to paste into docs)
  --help`;

/** Parses the fleet benchmark's flags; `"help"` when --help was given. Throws BenchUsageError. */
export function parseFleetArgs(argv: readonly string[]): FleetOptions | "help" {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (err) {
    throw new BenchUsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return "help";
  const int = (name: keyof typeof values, fallback: number, min: number, max?: number): number =>
    intFlag(name, values[name], fallback, min, max);
  if (values.json && values.markdown) throw new BenchUsageError("--json and --markdown exclude each other");
  return {
    devices: int("devices", D.devices, 1, 60_000),
    latencyMs: int("latency-ms", D.latencyMs, 0),
    configBytes: int("config-bytes", D.configBytes, 1_000),
    seed: int("seed", D.seed, 0),
    collectors: int("collectors", D.collectors, 1, 64),
    concurrency: int("concurrency", D.concurrency, 1),
    changedPct: int("changed-pct", D.changedPct, 0, 100),
    tickMs: int("tick-ms", D.tickMs, 100),
    ingestConcurrency: values["ingest-concurrency"] === undefined ? null : int("ingest-concurrency", 0, 1),
    collectorNodeOptions: values["collector-node-options"] ?? D.collectorNodeOptions,
    ingestorNodeOptions: values["ingestor-node-options"] ?? "",
    unpinned: values.unpinned === true,
    bare: values["skip-bare"] !== true,
    output: values.json ? "json" : values.markdown ? "markdown" : "text",
    timeoutS: int("timeout-s", D.timeoutS, 1),
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      ...FLEET_FLAGS,
      collectors: { type: "string" },
      "changed-pct": { type: "string" },
      "tick-ms": { type: "string" },
      "ingest-concurrency": { type: "string" },
      "collector-node-options": { type: "string" },
      "ingestor-node-options": { type: "string" },
      unpinned: { type: "boolean" },
      "skip-bare": { type: "boolean" },
      markdown: { type: "boolean" },
    },
  });
}

/** How many devices change config between the passes: `changedPct` of them, at least one when the share is above 0. */
export function changedCount(options: Pick<FleetOptions, "devices" | "changedPct">): number {
  if (options.changedPct === 0) return 0;
  return Math.max(1, Math.round((options.devices * options.changedPct) / 100));
}

/**
 * Indices of the devices that change: spread evenly over the fleet, every other one moved by one
 * so both RouterOS versions (which alternate by index) change.
 */
export function changedIndices(options: Pick<FleetOptions, "devices" | "changedPct">): number[] {
  const count = changedCount(options);
  const shift = options.devices >= 2 * count ? 1 : 0;
  return Array.from({ length: count }, (_, i) => Math.floor((i * options.devices) / count) + (i % 2) * shift);
}

/** One shell word: as is when it holds only safe characters, else in single quotes. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The exact command that reproduces a run with these options (every flag spelled out). */
export function reproduceFleetCommand(options: FleetOptions): string {
  const flags = [
    `--devices ${options.devices}`,
    `--latency-ms ${options.latencyMs}`,
    `--config-bytes ${options.configBytes}`,
    `--seed ${options.seed}`,
    `--collectors ${options.collectors}`,
    `--concurrency ${options.concurrency}`,
    `--changed-pct ${options.changedPct}`,
    `--tick-ms ${options.tickMs}`,
    ...(options.ingestConcurrency === null ? [] : [`--ingest-concurrency ${options.ingestConcurrency}`]),
    ...(options.collectorNodeOptions === DEFAULT_FLEET_OPTIONS.collectorNodeOptions
      ? []
      : [shellQuote(`--collector-node-options=${options.collectorNodeOptions}`)]),
    ...(options.ingestorNodeOptions ? [shellQuote(`--ingestor-node-options=${options.ingestorNodeOptions}`)] : []),
    ...(options.unpinned ? ["--unpinned"] : []),
    ...(options.bare ? [] : ["--skip-bare"]),
    `--timeout-s ${options.timeoutS}`,
    ...(options.output === "text" ? [] : [`--${options.output}`]),
  ];
  return `npm run -w @netledger/bench fleet -- ${flags.join(" ")}`;
}
