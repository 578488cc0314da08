import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { dirname } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

export interface ServiceProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Settles with the exit code (null when killed by a signal) and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /**
   * Polls `http://127.0.0.1:<port><path>` until it answers `status`; fails if the process exits
   * first or nothing answers within the safety timeout.
   */
  waitForHttp(port: number, path: string, status: number): Promise<Response>;
}

const SAFETY_TIMEOUT_MS = 60_000;

/**
 * Starts a service's entry file as production runs it (`node --import tsx <entry>`), configured by
 * environment only, with output captured for assertions.
 *
 * @example
 * const gateway = startServiceProcess(fileURLToPath(new URL("./main.ts", import.meta.url)), {
 *   ...process.env, ...world.env(), OPS_PORT: String(port) });
 * await gateway.waitForHttp(port, "/readyz", 200);
 */
export function startServiceProcess(entry: string, env: NodeJS.ProcessEnv): ServiceProcess {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: dirname(entry),
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.end();
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  let gone = false;
  const exited = once(child, "exit").then(([code, signal]) => {
    gone = true;
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  return {
    child,
    exited,
    output: () => output,
    async waitForHttp(port, path, status) {
      const deadline = Date.now() + SAFETY_TIMEOUT_MS;
      for (;;) {
        assert.ok(!gone, `${entry} exited while waiting for ${path}:\n${output}`);
        assert.ok(Date.now() < deadline, `${path} did not answer ${status}`);
        try {
          const response = await fetch(`http://127.0.0.1:${port}${path}`);
          if (response.status === status) return response;
        } catch {
          // not listening yet
        }
        await delay(100);
      }
    },
  };
}
