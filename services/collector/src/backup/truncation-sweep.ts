import type { DeviceTarget } from "@netledger/contracts";
import { type CommandOutput, type DeviceDriver, getDriver, sha256Hex } from "@netledger/drivers";
import { BackupError } from "../errors.js";
import type { SshConnector, SshSession } from "../ssh/ssh-session.js";
import type { BackupLimits } from "./backup-types.js";
import { collectExport } from "./collect-export.js";

/**
 * Evaluation of the collector's defence against exports that stop early with exit status 0
 * (issue: truncation with exit 0): each whole export is cut at sampled points and run through the
 * real `collectExport` over an in-memory SSH session, as a device would send it. Used by the
 * sampled test and the full sweep in `bench/`. No I/O.
 */

/** How the device behaves on the reads after a cut one. */
export type RereadModel =
  /** The cut was a one-off: later reads are whole (what second reads are for). */
  | "transient"
  /** Every read is cut, each at its own random point. */
  | "independent"
  /** Every read is cut at the same point (a device that always stops there). */
  | "repeatable";

export type CutKind = "byte" | "line";

export interface CutTally {
  cuts: number;
  /** Refused (no version stored; the job is retried). */
  refused: number;
  /** Stored, and the stored text is the whole export's (a later read healed the cut, or the cut lost nothing). */
  healed: number;
  /** Stored something other than the whole export: the failure this sweep counts. */
  accepted: number;
}

export interface SweepFigures {
  exports: number;
  /** Whole exports refused (must be 0). */
  wholeRefused: number;
  byte: CutTally;
  line: CutTally;
  /** SSH commands run in all, to show what the second reads cost. */
  commands: number;
}

export interface SweepOptions {
  /** Default: the RouterOS driver. */
  readonly driver?: DeviceDriver;
  /** Random byte cut points per export (never just after a line end). */
  readonly byteCuts: number;
  /** Random line-boundary cut points per export; Infinity for every line boundary. */
  readonly lineCuts: number;
  readonly model: RereadModel;
  /** Whether the device's previous stored size is known (the export's own normalized size). */
  readonly previousKnown: boolean;
  readonly seed?: number;
  readonly secondReadMinBytes?: number;
}

const LIMITS: Omit<BackupLimits, "secondReadMinBytes"> = {
  connectTimeoutMs: 1_000,
  commandTimeoutMs: 1_000,
  commandDeadlineMs: 1_000,
  exportMaxBytes: 64 * 1024 * 1024,
  publishTimeoutMs: 1_000,
};

/** Runs the sweep over `exports` (whole exports, as sent over SSH) and returns its figures. */
export async function sweepTruncation(exports: readonly Buffer[], options: SweepOptions): Promise<SweepFigures> {
  const figures: SweepFigures = {
    exports: exports.length,
    wholeRefused: 0,
    byte: { cuts: 0, refused: 0, healed: 0, accepted: 0 },
    line: { cuts: 0, refused: 0, healed: 0, accepted: 0 },
    commands: 0,
  };
  let seed = options.seed ?? 1;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const limits: BackupLimits = { ...LIMITS, secondReadMinBytes: options.secondReadMinBytes ?? 64 * 1024 };
  const driver = options.driver ?? getDriver("routeros");
  for (const whole of exports) {
    const wholeText = driver.normalize(whole.toString("utf8"));
    const previous = options.previousKnown ? Buffer.byteLength(wholeText, "utf8") : undefined;
    const run = async (reads: (attempt: number) => Buffer): Promise<"refused" | "healed" | "accepted"> => {
      const result = await collect(driver, reads, previous, limits).catch((err: unknown) => {
        if (err instanceof BackupError) return null;
        throw err;
      });
      if (result === null) return "refused";
      figures.commands += result.commands;
      return result.sha256 === sha256Hex(wholeText) ? "healed" : "accepted";
    };
    if ((await run(() => whole)) === "refused") figures.wholeRefused++;
    for (const kind of ["byte", "line"] as const) {
      const count = kind === "byte" ? options.byteCuts : options.lineCuts;
      for (const cut of cutPoints(whole, kind, count, random)) {
        const other = () => cutPoints(whole, kind, 1, random)[0] ?? cut;
        const reads = rereads(whole, cut, options.model, other);
        figures[kind].cuts++;
        figures[kind][await run(reads)]++;
      }
    }
  }
  return figures;
}

function rereads(whole: Buffer, cut: number, model: RereadModel, other: () => number): (attempt: number) => Buffer {
  const cuts = [cut];
  return (attempt) => {
    if (attempt === 0 || model === "repeatable") return whole.subarray(0, cut);
    if (model === "transient") return whole;
    while (cuts.length <= attempt) cuts.push(other());
    return whole.subarray(0, cuts[attempt]!);
  };
}

/**
 * Sampled cut points strictly inside the export, after its first line: `byte` points never fall
 * just after a line end (those are `line` cuts), `line` points fall just after one.
 */
export function cutPoints(whole: Buffer, kind: CutKind, count: number, random: () => number): number[] {
  const start = whole.indexOf(0x0a) + 1;
  if (kind === "line") {
    const ends: number[] = [];
    for (let at = whole.indexOf(0x0a, start); at !== -1 && at + 1 < whole.length; at = whole.indexOf(0x0a, at + 1))
      ends.push(at + 1);
    if (count >= ends.length) return ends;
    return Array.from({ length: count }, () => ends[Math.floor(random() * ends.length)]!);
  }
  const points: number[] = [];
  for (let tries = 0; points.length < count && tries < Math.min(count, whole.length) * 20; tries++) {
    const at = start + 1 + Math.floor(random() * (whole.length - start - 1));
    if (at < whole.length && whole[at - 1] !== 0x0a && whole[at - 1] !== 0x0d) points.push(at);
  }
  return points;
}

async function collect(
  driver: DeviceDriver,
  reads: (attempt: number) => Buffer,
  lastSnapshotBytes: number | undefined,
  limits: BackupLimits,
) {
  const ssh = replayConnector((_command, attempt) => ({ stdout: reads(attempt), stderr: "", exitCode: 0 }));
  const device: DeviceTarget = {
    name: "sweep",
    host: "192.0.2.1",
    port: 22,
    driver: driver.id,
    credentials: "v1:k:sweep",
    hostKeyFingerprint: null,
    softwareVersion: null,
    ...(lastSnapshotBytes !== undefined && { lastSnapshotBytes }),
  };
  return collectExport({
    ssh,
    driver,
    device,
    credentials: { username: "sweep", password: "sweep" },
    limits,
    signal: new AbortController().signal,
  });
}

/**
 * An in-memory {@link SshConnector} whose session answers the n-th command (0-based) with
 * `answer(command, n)`: the pure seam for exercising `collectExport` without a device.
 */
export function replayConnector(answer: (command: string, attempt: number) => CommandOutput): SshConnector {
  return {
    connect: async () => {
      let attempt = 0;
      const session: SshSession = {
        hostKeyFingerprint: "SHA256:replay",
        hostKeyType: null,
        exec: async (command) => answer(command, attempt++),
        close: async () => {},
      };
      return session;
    },
  };
}
