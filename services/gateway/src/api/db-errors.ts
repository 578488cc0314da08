/** True for a PostgreSQL unique violation (SQLSTATE 23505), optionally on one constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, constraint: name } = err as { code?: unknown; constraint?: unknown };
  return code === "23505" && (constraint === undefined || name === constraint);
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "EPIPE"]);
/** SQLSTATEs of a server that cannot serve now: shutting down, starting, too many connections. */
const UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03", "53300"]);

/**
 * True when `err` says the database cannot be reached or cannot serve right now (network error,
 * connection exception class 08, shutdown, too many connections, pool connect timeout): the
 * request may succeed later, so it is a 503, not a 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === "string" && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code) || /^08/.test(code))) {
    return true;
  }
  return typeof message === "string" && /timeout exceeded when trying to connect|Connection terminated/i.test(message);
}
