import type { Logger } from "@netledger/platform";
import type { ErrorRequestHandler, RequestHandler, Response } from "express";
import { z } from "zod";
import {
  ApiError,
  HTTP_STATUS,
  PROBLEM_CODES,
  type ProblemCode,
  ServiceUnavailableError,
  STATUS_TITLES,
} from "../errors.js";
import { isDatabaseUnavailable } from "./db-errors.js";

/** Media type of every error response (RFC 9457). */
export const PROBLEM_MEDIA_TYPE = "application/problem+json";

/** The problem document, as documented in OpenAPI and sent by {@link errorHandler}. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(PROBLEM_CODES as [ProblemCode, ...ProblemCode[]]),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z
      .array(z.object({ location: z.enum(["path", "query", "header", "body"]), path: z.string(), message: z.string() }))
      .optional(),
    retryAfterSeconds: z.number().int().optional(),
  })
  .loose();
export type Problem = z.infer<typeof ProblemSchema>;

/** Writes `err` as a problem document. */
export function sendProblem(res: Response, err: ApiError): void {
  const status = HTTP_STATUS[err.code];
  const body: Problem = {
    ...err.extensions,
    type: `urn:netledger:problem:${err.code.toLowerCase().replaceAll("_", "-")}`,
    title: STATUS_TITLES[status] ?? "Error",
    status,
    detail: err.message,
    code: err.code,
    requestId: typeof res.req.id === "string" ? res.req.id : undefined,
  };
  res.set(err.headers);
  res.status(status).type(PROBLEM_MEDIA_TYPE).send(JSON.stringify(body));
}

/** Errors raised by express and its body parsers (http-errors): status and `type`, never their message. */
function fromHttpError(err: unknown): ApiError | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const { status, statusCode, type } = err as { status?: unknown; statusCode?: unknown; type?: unknown };
  const code = typeof status === "number" ? status : typeof statusCode === "number" ? statusCode : undefined;
  if (code === undefined || code >= 500) return undefined;
  switch (code) {
    case 413:
      return new ApiError("PAYLOAD_TOO_LARGE", "the request body is too large", { cause: err });
    case 415:
      return new ApiError("UNSUPPORTED_MEDIA_TYPE", "unsupported body encoding or charset", { cause: err });
    case 400:
      return type === "entity.parse.failed"
        ? new ApiError("MALFORMED_BODY", "the request body is not valid JSON", { cause: err })
        : new ApiError("VALIDATION_FAILED", "malformed request", { cause: err });
    default:
      return new ApiError("VALIDATION_FAILED", "malformed request", { cause: err });
  }
}

/**
 * The error middleware: every error leaves as `application/problem+json` with a stable `code`;
 * anything that is not an {@link ApiError} or a client error from express is a 500 whose detail
 * says nothing about the cause (it is logged, redacted, with the request id).
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const apiError =
      err instanceof ApiError
        ? err
        : isDatabaseUnavailable(err)
          ? new ServiceUnavailableError("SERVICE_UNAVAILABLE", "the database is unavailable; try again", { cause: err })
          : fromHttpError(err);
    if (res.headersSent) {
      logger.error({ err, requestId: req.id }, "error after the response started");
      res.destroy();
      return;
    }
    if (apiError === undefined) {
      logger.error({ err, requestId: req.id, route: res.locals.route }, "unhandled error");
      sendProblem(res, new ApiError("INTERNAL_ERROR", "internal error"));
      return;
    }
    if (apiError.status >= 500)
      logger.warn({ err: apiError.cause ?? apiError, requestId: req.id, code: apiError.code }, "request failed");
    sendProblem(res, apiError);
  };
}

/** Last handler: no route matched. */
export const notFoundHandler: RequestHandler = (_req, res) => {
  sendProblem(res, new ApiError("NOT_FOUND", "no such route"));
};
