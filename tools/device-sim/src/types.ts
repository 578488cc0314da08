/**
 * Public types of the RouterOS device simulator. Other packages (collector tests, demo, bench)
 * code against exactly these shapes; additions must stay optional.
 */

/**
 * How a device misbehaves:
 * - `auth-fail`: every authentication attempt is rejected.
 * - `refuse`: the listener is closed (ECONNREFUSED); clearing the mode re-opens the same port.
 * - `hang`: TCP, handshake and auth succeed, then `/export` never answers and never closes.
 * - `hang-banner`: TCP is accepted but the SSH identification line is never sent.
 * - `slow`: the export trickles out in small chunks with delays.
 * - `drop`: the connection is destroyed after part of the export was sent.
 * - `truncate`: the export stops mid-line (ending in ` \`) and the channel exits 0 cleanly.
 * - `cut-byte`: each export stops at a random byte (never just after a line end), exit status 0.
 * - `cut-line`: each export stops just after a random line end, exit status 0 (invisible in the
 *   text). A device never cuts two exports at the same point, so two reads never agree.
 * - `garbage`: binary bytes instead of an export.
 * - `oversize`: a valid-looking export far beyond `oversizeBytes`, streamed.
 * - `hostkey-rotated`: the device presents a new (persisted) host key.
 */
export type FailureMode =
  | "auth-fail"
  | "refuse"
  | "hang"
  | "hang-banner"
  | "slow"
  | "drop"
  | "truncate"
  | "cut-byte"
  | "cut-line"
  | "garbage"
  | "oversize"
  | "hostkey-rotated";

/** Every {@link FailureMode}, for CLI validation and tests. */
export const FAILURE_MODES: readonly FailureMode[] = [
  "auth-fail",
  "refuse",
  "hang",
  "hang-banner",
  "slow",
  "drop",
  "truncate",
  "cut-byte",
  "cut-line",
  "garbage",
  "oversize",
  "hostkey-rotated",
];

/** Where a device's configuration comes from. */
export type ConfigSource = { kind: "synthetic"; bytes?: number; seed?: number } | { kind: "fixtures"; dir: string };

export interface FleetOptions {
  count: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 or undefined: each device listens on a free port; otherwise device i uses basePort + i. */
  basePort?: number;
  /** Host keys live here (`<stateDir>/<name>/ssh_host_ed25519_key`); default a temp dir removed on stop. */
  stateDir?: string;
  /** Default "admin". */
  username?: string;
  /** Shared password; default per device `pw-<name>`. */
  password?: string;
  /** OpenSSH public key lines accepted for public-key auth. */
  authorizedKeys?: string[];
  /** RouterOS versions cycled over devices; default ["7.16.1", "6.49.10"]. Fixture devices use their file's version. */
  versions?: string[];
  /** Default synthetic, 20 000 bytes, seed 1. */
  config?: ConfigSource;
  /** Delay before each command answers. */
  latencyMs?: number;
  /** Extra random delay in [0, jitterMs). */
  jitterMs?: number;
  /** Stop by itself after this long; default never. */
  timeLimitMs?: number;
  /** Device names are `<namePrefix>-<nnn>`; default "sim". */
  namePrefix?: string;
  /** How much the `oversize` mode streams; default 64 MiB. */
  oversizeBytes?: number;
  /** `slow` mode chunk size; default 1024 bytes. */
  slowChunkBytes?: number;
  /** `slow` mode pause between chunks; default 50 ms. */
  slowIntervalMs?: number;
  /**
   * Exit status of a command RouterOS rejects (`bad command name`, `expected end of command`).
   * Default 0: no public source shows RouterOS reporting a non-zero status, so a collector must
   * read the error text; set 1 to exercise status-based handling too.
   */
  errorExitCode?: number;
}

export interface DeviceStats {
  /** Connections accepted since start or the last reset. */
  sessions: number;
  /** Connections open now. */
  concurrent: number;
  /** Most connections open at once since start or the last reset. */
  maxConcurrent: number;
  /** Commands run (exec requests and shell lines). */
  commands: number;
}

export type ConfigChange =
  /** Appends `line` to `section` (created at the end when missing). */
  | { op: "add"; section: string; line: string }
  /** Removes the first line containing `match`. */
  | { op: "remove"; match: string }
  /** In the first line containing `match`, replaces `match` with `replace`. */
  | { op: "modify"; match: string; replace: string }
  /** Sets the password of a `/user` (or else `/ppp secret`) entry named `user`. */
  | { op: "set-secret"; user: string; password: string };

export interface RenderOptions {
  /** Time in the header line; default now. */
  at?: Date;
  /** Default: what a plain `/export` does on this version (v6 shows secrets, v7 hides them). */
  showSensitive?: boolean;
  terse?: boolean;
  compact?: boolean;
  verbose?: boolean;
}

export interface SimDevice {
  readonly name: string;
  readonly identity: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly model: string;
  readonly serial: string;
  readonly routerOsVersion: string;
  readonly majorVersion: 6 | 7;
  /** `SHA256:<base64 without padding>` of the current host key, as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string;
  /** `ssh-ed25519 AAAA...` */
  readonly hostPublicKey: string;
  readonly failure: FailureMode | null;
  /** `refuse` closes the listener; leaving `refuse` re-opens it on the same port. */
  setFailure(mode: FailureMode | null): Promise<void>;
  setLatency(latencyMs: number, jitterMs?: number): void;
  changeConfig(change: ConfigChange): void;
  /** Exactly the text (CRLF line ends) the device sends for `/export` with these options now. */
  renderExport(options?: RenderOptions): string;
  /** New persisted host key; the fingerprint changes. */
  rotateHostKey(): Promise<void>;
  readonly stats: DeviceStats;
  resetStats(): void;
}

export interface Fleet {
  readonly devices: readonly SimDevice[];
  /** Throws UnknownDeviceError for a name not in the fleet. */
  device(name: string): SimDevice;
  writeInventory(path: string): Promise<void>;
  writeKnownHosts(path: string): Promise<void>;
  /** Closes listeners and every live session. Idempotent. */
  stop(): Promise<void>;
  /** Settles once the fleet has stopped, by `stop()` or by its time limit. */
  readonly stopped: Promise<void>;
}
