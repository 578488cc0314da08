import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { TestkitError } from "./errors.js";
import { killAtExit } from "./exit-cleanup.js";

/** A server process the testkit started, on a fixed port with its data in a temp dir. */
export interface ServerHandle {
  readonly url: string;
  readonly port: number;
  /** Graceful stop (the server's own shutdown signal); resolves when the process has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data; resolves when it answers. No-op while running. */
  start(): Promise<void>;
  /** SIGKILL, as a crash would; resolves when the process has exited. */
  kill(): Promise<void>;
  /**
   * SIGSTOP: the process keeps its sockets open but answers nothing, as a hung server would.
   * Resolves once the kernel reports it stopped (Linux `/proc`); rejects when it is not running
   * (it exited, say after losing its port to another listener). `resume()` (SIGCONT) lets it go
   * on; `stop()` and `kill()` resume it first.
   */
  pause(): Promise<void>;
  resume(): void;
}

/** How to run and check one server process. */
export interface ChildServerSpec {
  /** For messages: `nats-server`, `redis-server`, `postgres`. */
  readonly label: string;
  readonly url: string;
  readonly port: number;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** stdout and stderr are appended here; its tail is quoted when a start fails. */
  readonly logFile: string;
  /** Run as this user (PostgreSQL refuses to run as root). */
  readonly user?: { uid: number; gid: number };
  readonly stopSignal: NodeJS.Signals;
  /** Resolves once the server answers; retried until it does or the start times out. */
  readonly probe: () => Promise<void>;
  /** Default 30 s: a JetStream or PostgreSQL recovery on a loaded 2-core box is slow. */
  readonly startTimeoutMs?: number;
  /** Early exits retried this many times in all (PostgreSQL after SIGKILL waits for its old backends). */
  readonly startAttempts?: number;
}

const STOP_TIMEOUT_MS = 15_000;
const PROBE_INTERVAL_MS = 100;
const PAUSE_TIMEOUT_MS = 5_000;

/**
 * Starts the process described by `spec` and returns its handle once it answers. The process is
 * unreferenced (a forgotten server does not keep the test process alive) and killed at exit.
 */
export async function startChildServer(spec: ChildServerSpec): Promise<ServerHandle> {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const launch = (): { child: ChildProcess; exited: Promise<void> } => {
    const log = openSync(spec.logFile, "a");
    try {
      const proc = spawn(spec.command, [...spec.args], {
        cwd: spec.cwd,
        stdio: ["ignore", log, log],
        ...(spec.user ?? {}),
      });
      proc.unref();
      killAtExit(proc);
      const done = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      // spawn errors (ENOENT, EACCES) arrive as "error" events, followed by no "exit".
      const failed = new Promise<void>((resolve) => proc.once("error", () => resolve()));
      return { child: proc, exited: Promise.race([done, failed]) };
    } finally {
      closeSync(log);
    }
  };

  const waitReady = async (proc: ChildProcess, procExited: Promise<void>): Promise<"ready" | "exited"> => {
    const deadline = Date.now() + (spec.startTimeoutMs ?? 30_000);
    let lastError: unknown;
    let gone = false;
    void procExited.then(() => {
      gone = true;
    });
    while (Date.now() < deadline) {
      if (gone) return "exited";
      try {
        await spec.probe();
        if (!gone && proc.exitCode === null) return "ready";
      } catch (err) {
        lastError = err;
      }
      await delay(PROBE_INTERVAL_MS);
    }
    proc.ref();
    proc.kill("SIGKILL");
    await procExited;
    throw startFailed(spec, `did not answer within ${spec.startTimeoutMs ?? 30_000} ms`, lastError);
  };

  const handle: ServerHandle = {
    url: spec.url,
    port: spec.port,
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) return;
      const attempts = spec.startAttempts ?? 1;
      for (let attempt = 1; ; attempt++) {
        ({ child, exited } = launch());
        if ((await waitReady(child, exited)) === "ready") return;
        if (attempt >= attempts) throw startFailed(spec, "exited during start");
        await delay(500);
      }
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGCONT");
      child.ref(); // an unreferenced child's exit alone would not keep the event loop waiting for it
      child.kill(spec.stopSignal);
      const timer = setTimeout(() => child?.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.ref();
      child.kill("SIGKILL");
      await exited;
    },
    async pause() {
      if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
        throw new TestkitError("TESTKIT_SERVER_START_FAILED", `${spec.label} on port ${spec.port} is not running`);
      }
      child.kill("SIGSTOP");
      const deadline = Date.now() + PAUSE_TIMEOUT_MS;
      while (!isStopped(child.pid)) {
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new TestkitError(
            "TESTKIT_SERVER_START_FAILED",
            `${spec.label} on port ${spec.port} did not stop within ${PAUSE_TIMEOUT_MS} ms of SIGSTOP`,
          );
        }
        await delay(5);
      }
    },
    resume() {
      if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGCONT");
    },
  };
  await handle.start();
  return handle;
}

/**
 * Whether the kernel reports `pid` stopped (state `T` in `/proc/<pid>/stat`). Where `/proc` cannot
 * be read, true: SIGSTOP is then trusted to have taken effect.
 */
function isStopped(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return true;
  }
  // The state follows the command name, which is in parentheses and may itself hold spaces.
  return stat.slice(stat.lastIndexOf(")") + 2).startsWith("T");
}

function startFailed(spec: ChildServerSpec, what: string, cause?: unknown): TestkitError {
  return new TestkitError(
    "TESTKIT_SERVER_START_FAILED",
    `${spec.label} on port ${spec.port} ${what}; last lines of ${spec.logFile}:\n${logTail(spec.logFile)}`,
    cause === undefined ? undefined : { cause },
  );
}

/** The last 15 lines of a server's log file, for error messages. */
export function logTail(file: string): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-15).join("\n");
  } catch {
    return "(no log)";
  }
}
