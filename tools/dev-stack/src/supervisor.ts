import { spawn } from "node:child_process";

/** Signals that arrive twice for one Ctrl-C (the terminal, then npm forwarding it) count once. */
const SAME_PRESS_MS = 1_000;

/**
 * Runs the stack in a child process of its own session and turns Ctrl-C into an orderly stop.
 *
 * Why a separate session: Ctrl-C sends SIGINT to every process of the terminal's foreground
 * group, and the private servers the testkit starts would be in it. They would then die at the
 * same moment as the services that are still draining into them. In its own session the stack
 * gets exactly one SIGTERM from here and stops services first, then the fleet, then the servers.
 *
 * A second Ctrl-C (after the first was taken) is passed on as SIGINT: the stack then kills what
 * it started and exits at once. If this process dies, the stack sees its IPC channel close and
 * stops by itself. Resolves with the stack's exit code.
 */
export function superviseStack(entry: string, argv: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, entry, "--supervised", ...argv], {
    detached: true,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let firstSignalAt: number | undefined;
  const onSignal = () => {
    const now = Date.now();
    if (firstSignalAt === undefined) {
      firstSignalAt = now;
      child.kill("SIGTERM");
    } else if (now - firstSignalAt > SAME_PRESS_MS) {
      child.kill("SIGINT");
    }
  };
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const signal of signals) process.on(signal, onSignal);
  return new Promise((resolve) => {
    child.once("error", (err) => {
      process.stderr.write(`dev stack: could not start: ${err.message}\n`);
      resolve(1);
    });
    child.once("exit", (code) => {
      for (const signal of signals) process.off(signal, onSignal);
      resolve(code ?? 1);
    });
  });
}
