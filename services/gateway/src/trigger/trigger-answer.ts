import { ApiError, NotFoundError } from "../errors.js";
import type { TriggerOutcome } from "./trigger-device.js";

/** The 201 body of a successful trigger. */
export type TriggerSuccessBody = Omit<Extract<TriggerOutcome, { kind: "success" }>, "kind">;

/**
 * A trigger outcome as the route answers it: the 201 body, or the ApiError whose code the
 * problem middleware maps to 409 / 502 / 503 / 504 / 404 (`errors.ts` HTTP_STATUS, the one place
 * codes become statuses).
 */
export function answerOf(outcome: TriggerOutcome): { body: TriggerSuccessBody } | { error: ApiError } {
  switch (outcome.kind) {
    case "success": {
      const { kind: _kind, ...body } = outcome;
      return { body };
    }
    case "locked":
      return {
        error: new ApiError("DEVICE_LOCKED", "another backup of this device is running", {
          extensions: { requestId: outcome.requestId },
        }),
      };
    case "failed":
      return {
        error: new ApiError(outcome.code, outcome.message, { extensions: { requestId: outcome.requestId } }),
      };
    case "busy": {
      const seconds = Math.max(1, Math.ceil(outcome.retryAfterMs / 1000));
      return {
        error: new ApiError("COLLECTOR_BUSY", "every collector is busy; try again later", {
          extensions: { requestId: outcome.requestId, retryAfterSeconds: seconds },
          headers: { "retry-after": String(seconds) },
        }),
      };
    }
    case "timeout":
      return {
        error: new ApiError("COLLECTOR_TIMEOUT", "no collector answered in time", {
          extensions: { requestId: outcome.requestId },
        }),
      };
    case "no-collector":
      return {
        error: new ApiError("NO_COLLECTOR", "no collector is running", {
          extensions: { requestId: outcome.requestId },
        }),
      };
    case "bus-unavailable":
      return {
        error: new ApiError("SERVICE_UNAVAILABLE", "the message bus is unreachable", {
          extensions: { requestId: outcome.requestId },
        }),
      };
    case "not-found":
      return { error: new NotFoundError("device") };
  }
}

/**
 * Whether a retry with the same Idempotency-Key gets this answer again. Only answers where a
 * collector actually ran the backup are kept (success, device failure): after a 409, 503 or 504
 * nothing was collected, so a retry collects.
 */
export function isReplayable(outcome: TriggerOutcome): boolean {
  return outcome.kind === "success" || outcome.kind === "failed";
}
