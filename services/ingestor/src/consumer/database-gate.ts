import { backoffDelay, type Logger, sleep } from "@netledger/platform";
import type { RetryPolicy } from "./context.js";

/**
 * Holds message handling while PostgreSQL is unreachable. A handler whose transaction failed for
 * want of a database naks its message and closes the gate; the next handlers wait until a probe
 * answers again instead of each failing (and nak'ing) in turn. Opens by itself.
 */
export interface DatabaseGate {
  /** Resolves at once while open; otherwise when the probe next succeeds. */
  whenOpen(): Promise<void>;
  /** Starts probing (idempotent while closed). */
  close(): void;
  isOpen(): boolean;
}

export function createDatabaseGate(options: {
  probe: () => Promise<unknown>;
  retry: RetryPolicy;
  logger: Logger;
}): DatabaseGate {
  let reopened: Promise<void> | null = null;
  const probeUntilOpen = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      await sleep(backoffDelay(attempt, options.retry));
      try {
        await options.probe();
        options.logger.info({ attempt }, "database answers again; resuming ingestion");
        return;
      } catch {
        // still down
      }
    }
  };
  return {
    whenOpen: () => reopened ?? Promise.resolve(),
    isOpen: () => reopened === null,
    close() {
      if (reopened) return;
      options.logger.warn("database unavailable; holding ingestion until it answers");
      reopened = probeUntilOpen().finally(() => {
        reopened = null;
      });
    },
  };
}

/**
 * Whether `err` means the database could not be reached or went away (connection refused or
 * reset, server shutting down or starting), as opposed to a statement PostgreSQL rejected.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") {
    if (/^(08|57P0[1-3]|53300)/.test(code)) return true;
    if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, ETIMEDOUT ...
  }
  const message = err instanceof Error ? err.message : "";
  return /connection (terminated|timeout|error)|Connection terminated|not queryable|timeout exceeded when trying to connect/i.test(
    message,
  );
}
