import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import { REPO_ROOT } from "./config.js";
import { DevStackError } from "./errors.js";
import { formatLogLine, servicePrefix } from "./log.js";

/** One service process of the stack. */
export interface ServiceSpec {
  /** `collector-1`: shown in front of its log lines. */
  readonly name: string;
  /** `gateway`, `collector`, `ingestor`: runs `services/<service>/src/main.ts`. */
  readonly service: string;
  readonly opsPort: number;
  /** The full environment of the process. */
  readonly env: NodeJS.ProcessEnv;
}

export interface RunningService {
  readonly spec: ServiceSpec;
  /** Settles with the exit code (null when ended by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGTERM (the services drain and exit), SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs: number): Promise<number | null>;
  /** SIGKILL. */
  kill(): void;
}

/** Starts `node --import tsx services/<service>/src/main.ts`, printing its output through `print`. */
export function startService(spec: ServiceSpec, print: (line: string) => void): RunningService {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", `services/${spec.service}/src/main.ts`], {
    cwd: REPO_ROOT,
    env: spec.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = servicePrefix(spec.name);
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on("line", (line) => print(formatLogLine(prefix, line)));
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", (err) => {
      print(`${prefix} could not start: ${err.message}`);
      resolve(null);
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    spec,
    exited,
    async stop(graceMs) {
      if (running()) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => running() && child.kill("SIGKILL"), graceMs);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
    kill() {
      if (running()) child.kill("SIGKILL");
    },
  };
}

/**
 * Resolves once `GET /readyz` answers 200 on the service's ops port. Rejects when the process
 * exits first or `timeoutMs` passes; resolves early when `cancelled()` (the stack is stopping).
 */
export async function waitUntilReady(
  service: RunningService,
  timeoutMs: number,
  cancelled: () => boolean,
): Promise<void> {
  let exitCode: number | null | undefined;
  void service.exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !cancelled()) {
    if (exitCode !== undefined) {
      throw new DevStackError(
        "DEV_STACK_SERVICE_FAILED",
        `${service.spec.name} exited with code ${exitCode} during start-up`,
      );
    }
    try {
      const response = await fetch(`http://127.0.0.1:${service.spec.opsPort}/readyz`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await delay(250);
  }
  if (cancelled()) return;
  throw new DevStackError(
    "DEV_STACK_SERVICE_FAILED",
    `${service.spec.name} was not ready within ${timeoutMs / 1000} s`,
  );
}
