/**
 * Exponential back-off delay for retry `attempt` (1-based): base, 2×base, 4×base, ... capped
 * at `maxMs`. Pure, so every bounded retry in this package waits the same, testable way.
 */
export function backoffDelay(attempt: number, options: { baseMs: number; maxMs: number }): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  return Math.min(options.maxMs, options.baseMs * 2 ** exponent);
}

/**
 * Resolves after `ms`. The timer keeps the process alive on purpose: a start-up retry is often
 * the only pending work, and an unref'd timer would let the process exit mid-retry.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
