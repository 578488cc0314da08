export * from "./codec.js";
export {
  ERROR_CODES,
  type ErrorCode,
  InvalidMessageError,
  isPermanentError,
  PERMANENT_ERROR_CODES,
} from "./errors.js";
export type { ConsumerConfigInput, StreamConfigInput } from "./nats-config.js";
export * from "./schemas.js";
export {
  createWire,
  DEFAULT_EVENTS_MAX_BYTES,
  DEFAULT_NAMESPACE,
  DEFAULT_SNAPSHOTS_MAX_BYTES,
  INLINE_CONTENT_LIMIT_BYTES,
  JOB_HEADERS,
  type Wire,
  type WireOptions,
} from "./wire.js";
