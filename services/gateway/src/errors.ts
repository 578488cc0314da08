import { ERROR_CODES, type ErrorCode } from "@netledger/contracts";

/**
 * Errors of the gateway. Every error a client can see is an {@link ApiError} with a stable
 * `code`; {@link HTTP_STATUS} is the one place a code becomes an HTTP status, used by the
 * problem+json middleware (`api/problem.ts`). Messages (`detail`) are shown to clients: they
 * never hold secrets, config text or values the client sent.
 */

/** Codes the gateway itself raises; device failure codes come from `@netledger/contracts`. */
export const GATEWAY_ERROR_CODES = [
  "VALIDATION_FAILED",
  "MALFORMED_BODY",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "CONFLICT",
  "RATE_LIMITED",
  "RATE_LIMITER_UNAVAILABLE",
  "SERVICE_UNAVAILABLE",
  "NO_COLLECTOR",
  "COLLECTOR_BUSY",
  "COLLECTOR_TIMEOUT",
  "IDEMPOTENCY_KEY_IN_USE",
  "IDEMPOTENCY_KEY_REUSED",
  "INTERNAL_ERROR",
] as const;
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

/** Every code a problem document can carry. */
export type ProblemCode = GatewayErrorCode | ErrorCode;
export const PROBLEM_CODES: readonly ProblemCode[] = [...GATEWAY_ERROR_CODES, ...ERROR_CODES];

/**
 * Code → HTTP status, the only such mapping in the repository. Device failure codes of a
 * trigger are 502 (the device, not the gateway, failed); `DEVICE_LOCKED` is 409.
 */
export const HTTP_STATUS: Readonly<Record<ProblemCode, number>> = Object.freeze({
  VALIDATION_FAILED: 400,
  MALFORMED_BODY: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  RATE_LIMITER_UNAVAILABLE: 503,
  SERVICE_UNAVAILABLE: 503,
  NO_COLLECTOR: 503,
  COLLECTOR_BUSY: 503,
  COLLECTOR_TIMEOUT: 504,
  IDEMPOTENCY_KEY_IN_USE: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  INTERNAL_ERROR: 500,
  DEVICE_LOCKED: 409,
  SSH_AUTH_FAILED: 502,
  SSH_HOSTKEY_MISMATCH: 502,
  SSH_UNREACHABLE: 502,
  SSH_TIMEOUT: 502,
  SSH_CONNECTION_LOST: 502,
  COMMAND_FAILED: 502,
  EXPORT_TRUNCATED: 502,
  EXPORT_TOO_LARGE: 502,
  EXPORT_INVALID: 502,
  LOCK_UNAVAILABLE: 503,
  CREDENTIALS_UNREADABLE: 502,
  DRIVER_UNKNOWN: 502,
  PUBLISH_FAILED: 502,
  STORED_VERSION_GONE: 503,
  INVALID_MESSAGE: 502,
  INTERNAL: 502,
});

/** Short human titles per status, the problem document's `title`. */
export const STATUS_TITLES: Readonly<Record<number, string>> = Object.freeze({
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
});

/** Where an invalid input was found. */
export type IssueLocation = "path" | "query" | "header" | "body";

/** One validation problem: location, dotted path and rule; never the received value. */
export interface ValidationIssue {
  readonly location: IssueLocation;
  readonly path: string;
  readonly message: string;
}

/**
 * An error answered to the client as `application/problem+json`. Subclass it (or use it with a
 * code) for each condition a handler raises; the status comes from {@link HTTP_STATUS}.
 *
 * @example
 * throw new ApiError("CONFLICT", "a device with this name exists");
 */
export class ApiError extends Error {
  override readonly name: string = "ApiError";
  constructor(
    readonly code: ProblemCode,
    /** Safe for clients: becomes the problem's `detail`. */
    message: string,
    options?: {
      cause?: unknown;
      /** Extra members of the problem document (e.g. `retryAfterSeconds`); must be safe to show. */
      extensions?: Record<string, unknown>;
      /** Response headers to send with the problem (e.g. `Retry-After`). */
      headers?: Record<string, string>;
    },
  ) {
    super(message, options);
    this.extensions = options?.extensions ?? {};
    this.headers = options?.headers ?? {};
  }
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;
  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

/** A path parameter, query, header or body did not validate (400 `VALIDATION_FAILED`). */
export class ValidationError extends ApiError {
  override readonly name = "ValidationError";
  constructor(readonly issues: readonly ValidationIssue[]) {
    super("VALIDATION_FAILED", `invalid request: ${issues.length} problem(s)`, { extensions: { errors: issues } });
  }
}

/** No, malformed, unknown or revoked bearer token (401). */
export class UnauthenticatedError extends ApiError {
  override readonly name = "UnauthenticatedError";
  constructor(message = "a valid bearer token is required") {
    super("UNAUTHENTICATED", message, { headers: { "www-authenticate": 'Bearer realm="netledger"' } });
  }
}

/** The token's role is below what the route needs (403). */
export class ForbiddenError extends ApiError {
  override readonly name = "ForbiddenError";
  constructor(message = "this token's role does not allow this action") {
    super("FORBIDDEN", message);
  }
}

/** Unknown resource, or one of another tenant: both answer the same 404. */
export class NotFoundError extends ApiError {
  override readonly name = "NotFoundError";
  constructor(what = "resource") {
    super("NOT_FOUND", `${what} not found`);
  }
}

/** The request conflicts with the current state (duplicate name, ...). */
export class ConflictError extends ApiError {
  override readonly name = "ConflictError";
  constructor(message: string) {
    super("CONFLICT", message);
  }
}

/** A required dependency (database, bus, rate-limit store) is not answering (503). */
export class ServiceUnavailableError extends ApiError {
  override readonly name = "ServiceUnavailableError";
  constructor(
    code: "SERVICE_UNAVAILABLE" | "RATE_LIMITER_UNAVAILABLE",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, { ...options, headers: { "retry-after": "5" } });
  }
}
