/**
 * Errors raised by the testkit. Each `code` is stable so tests can match on it; messages say
 * what is missing and how to get it (command to run, variable to set).
 */

export type TestkitErrorCode =
  /** A server is not reachable and no fallback could provide one. */
  | "TESTKIT_SERVER_UNAVAILABLE"
  /** A server binary the private-instance fallback needs is not installed. */
  | "TESTKIT_BINARY_MISSING"
  /** A private server process did not become ready (exited, or timed out). */
  | "TESTKIT_SERVER_START_FAILED"
  /** A world part was disabled at creation (`createWorld({ redis: false })`) and then used. */
  | "TESTKIT_WORLD_PART_DISABLED"
  /** One or more clean-up steps of a world failed; `cause` is an AggregateError. */
  | "TESTKIT_CLEANUP_FAILED";

export class TestkitError extends Error {
  override readonly name = "TestkitError";
  constructor(
    readonly code: TestkitErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
