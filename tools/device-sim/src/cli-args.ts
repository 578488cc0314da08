import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { FAILURE_MODES, type FailureMode, type FleetOptions } from "./types.js";

/** Parsed command line: fleet options plus what the CLI itself does with the fleet. */
export interface CliConfig {
  readonly fleet: FleetOptions;
  readonly inventoryPath: string | null;
  readonly knownHostsPath: string | null;
  /** Devices put into a failure mode at start (`--fail sim-003=hang`). */
  readonly failures: readonly { readonly device: string; readonly mode: FailureMode }[];
}

export const USAGE = `Usage: sim [options]
  --count N               devices (default 20)
  --base-port P           first port; device i listens on P+i (default 0 = free ports)
  --host ADDR             listen address (default 127.0.0.1)
  --latency-ms MS         delay before each command answers (default 0)
  --jitter-ms MS          extra random delay in [0, MS) (default 0)
  --synthetic-bytes B     synthetic config size per device (default 20000)
  --seed N                synthetic config seed (default 1)
  --fixtures DIR          serve real exports from DIR (*.rsc), device N gets file N mod count
  --versions V,V          RouterOS versions cycled over synthetic devices (default 7.16.1,6.49.10)
  --state-dir DIR         persistent host keys (default a temp dir removed on exit)
  --inventory FILE        write name,host,port,username,password,model CSV
  --known-hosts FILE      write OpenSSH known_hosts
  --time-limit-s S        stop after S seconds (default 3600; 0 = never)
  --username NAME         login user (default admin)
  --password PW           shared password (default pw-<device name>)
  --authorized-keys FILE  OpenSSH public keys accepted for public-key auth
  --oversize-bytes B      size streamed by the oversize failure mode (default 64 MiB)
  --fail NAME=MODE        start a device in a failure mode (repeatable): ${FAILURE_MODES.join(", ")}
  --help`;

/** Thrown for a bad command line; the CLI prints the message and the usage. */
export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
}

function number(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new CliUsageError(`--${name} must be a non-negative number`);
  return value;
}

/** Parses argv (without node and script). Returns null when --help was asked. */
export function parseCli(argv: readonly string[]): CliConfig | null {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new CliUsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return null;
  if (v.fixtures !== undefined && v["synthetic-bytes"] !== undefined) {
    throw new CliUsageError("--fixtures and --synthetic-bytes are exclusive");
  }
  const failures = (v.fail ?? []).map((spec) => {
    const [device, mode] = spec.split("=");
    if (!device || !FAILURE_MODES.includes(mode as FailureMode)) throw new CliUsageError(`bad --fail ${spec}`);
    return { device, mode: mode as FailureMode };
  });
  const timeLimitS = number("time-limit-s", v["time-limit-s"], 3600);
  const keysFile = v["authorized-keys"];
  const fleet: FleetOptions = {
    count: number("count", v.count, 20),
    host: v.host ?? "127.0.0.1",
    basePort: number("base-port", v["base-port"], 0),
    latencyMs: number("latency-ms", v["latency-ms"], 0),
    jitterMs: number("jitter-ms", v["jitter-ms"], 0),
    config:
      v.fixtures !== undefined
        ? { kind: "fixtures", dir: v.fixtures }
        : {
            kind: "synthetic",
            bytes: number("synthetic-bytes", v["synthetic-bytes"], 20_000),
            seed: number("seed", v.seed, 1),
          },
    ...(v.versions === undefined ? {} : { versions: v.versions.split(",").map((s) => s.trim()) }),
    ...(v["state-dir"] === undefined ? {} : { stateDir: v["state-dir"] }),
    ...(timeLimitS > 0 ? { timeLimitMs: timeLimitS * 1000 } : {}),
    username: v.username ?? "admin",
    ...(v.password === undefined ? {} : { password: v.password }),
    ...(keysFile === undefined
      ? {}
      : {
          authorizedKeys: readFileSync(keysFile, "utf8")
            .split("\n")
            .filter((l) => /^\s*(ssh|ecdsa)-/.test(l)),
        }),
    ...(v["oversize-bytes"] === undefined ? {} : { oversizeBytes: number("oversize-bytes", v["oversize-bytes"], 0) }),
  };
  return { fleet, inventoryPath: v.inventory ?? null, knownHostsPath: v["known-hosts"] ?? null, failures };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      count: { type: "string" },
      "base-port": { type: "string" },
      host: { type: "string" },
      "latency-ms": { type: "string" },
      "jitter-ms": { type: "string" },
      "synthetic-bytes": { type: "string" },
      seed: { type: "string" },
      fixtures: { type: "string" },
      versions: { type: "string" },
      "state-dir": { type: "string" },
      inventory: { type: "string" },
      "known-hosts": { type: "string" },
      "time-limit-s": { type: "string" },
      username: { type: "string" },
      password: { type: "string" },
      "authorized-keys": { type: "string" },
      "oversize-bytes": { type: "string" },
      fail: { type: "string", multiple: true },
      help: { type: "boolean" },
    },
  });
}
