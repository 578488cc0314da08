import { ShutdownTimeoutError } from "./errors.js";
import type { Logger } from "./logger.js";

export interface ShutdownStep {
  /** Shown in logs: "stop accepting requests", "drain NATS", "close database pool". */
  name: string;
  run: () => Promise<void>;
}

export interface ShutdownOptions {
  logger: Logger;
  /** Run in order; a failed or timed-out step is logged and the next one still runs. */
  steps: ShutdownStep[];
  /** Budget per step; default 10 s (Kubernetes' default grace period is 30 s). */
  timeoutMs?: number;
  /** Default SIGTERM and SIGINT. */
  signals?: NodeJS.Signals[];
  /** Ends the process; default `process.exit`. Tests pass a recorder. */
  exit?: (code: number) => void;
}

export interface Shutdown {
  /** Starts the shutdown (once; later calls return the same promise) and exits when done. */
  trigger(reason: string): Promise<void>;
}

/**
 * Graceful shutdown: the first signal (or `trigger`) runs the steps in order, each bounded by
 * `timeoutMs`, then exits with 0 when every step succeeded, 1 otherwise. A second signal while
 * shutting down exits at once with 1 (an operator pressing Ctrl-C twice means it).
 *
 * @example
 * onShutdown({ logger, steps: [
 *   { name: "stop HTTP", run: () => ops.close() },
 *   { name: "drain NATS", run: () => nc.drain() },
 * ] });
 */
export function onShutdown(options: ShutdownOptions): Shutdown {
  const { logger, steps } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let running: Promise<void> | undefined;

  const onSignal = (signal: NodeJS.Signals) => {
    if (running) {
      logger.warn({ signal }, "second signal during shutdown; exiting now");
      exit(1);
      return;
    }
    void trigger(signal);
  };
  for (const signal of signals) process.on(signal, onSignal);

  function trigger(reason: string): Promise<void> {
    running ??= run(reason);
    return running;
  }

  async function run(reason: string): Promise<void> {
    logger.info({ reason, steps: steps.map((s) => s.name) }, "shutting down");
    let failed = 0;
    for (const step of steps) {
      try {
        await withTimeout(step, timeoutMs);
        logger.info({ step: step.name }, "shutdown step done");
      } catch (err) {
        failed++;
        logger.error({ step: step.name, err }, "shutdown step failed");
      }
    }
    for (const signal of signals) process.off(signal, onSignal);
    const code = failed === 0 ? 0 : 1;
    logger.info({ code, failed }, "shutdown complete");
    exit(code);
  }

  return { trigger };
}

async function withTimeout(step: ShutdownStep, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ShutdownTimeoutError(step.name, timeoutMs)), timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(step.run), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
