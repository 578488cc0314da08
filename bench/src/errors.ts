/**
 * Errors of the benchmark. Each carries a stable `code`; messages never hold passwords or config text.
 */

/** A command-line flag is missing a value, not a number, or out of range. */
export class BenchUsageError extends Error {
  override readonly name = "BenchUsageError";
  readonly code = "BENCH_USAGE" as const;
}

/** A phase did not finish before its safety deadline (the benchmark reports how far it got). */
export class BenchTimeoutError extends Error {
  override readonly name = "BenchTimeoutError";
  readonly code = "BENCH_TIMEOUT" as const;
}
