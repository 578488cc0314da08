import { type DestinationStream, type Logger as PinoLogger, pino } from "pino";
import { redactSecrets } from "./redact.js";

/** The one logger type of NetLedger: a pino logger writing JSON lines. */
export type Logger = PinoLogger;

export interface LoggerOptions {
  /** Service or component name, the `name` field of every line. */
  name: string;
  /** A pino level; default `info`. */
  level?: string;
  /** Where lines go; default stdout (synchronous, so lines written before `process.exit` are not lost). */
  destination?: DestinationStream;
}

/**
 * A pino logger that passes logged objects, message arguments and child bindings through
 * {@link redactSecrets}: secret-bearing keys (passwords, tokens, keys, config text, sealed values,
 * see redact.ts for the list) become `[redacted]` at any depth, and errors are serialized
 * wherever they appear. Levels print as labels and times as ISO strings.
 *
 * @example
 * const log = createLogger({ name: "collector", level: config.LOG_LEVEL });
 * log.info({ deviceId, password }, "connecting"); // password → "[redacted]"
 */
export function createLogger(options: LoggerOptions): Logger {
  const logger = pino(
    {
      name: options.name,
      level: options.level ?? "info",
      timestamp: pino.stdTimeFunctions.isoTime,
      // Errors are already serialized by redactSecrets; pino's own err serializer would re-type them "Object".
      serializers: { err: (value: unknown) => value },
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redactSecrets(bindings) as Record<string, unknown>,
        log: (object) => redactSecrets(object) as Record<string, unknown>,
      },
      hooks: {
        // Format arguments (`log.info("%s", x)`) bypass formatters.log.
        logMethod(args, method) {
          const first = typeof args[0] === "string" ? 0 : 1;
          const safe = args.map((arg, index) => (index < first ? arg : redactSecrets(arg)));
          return method.apply(this, safe as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  );
  // pino resets formatters.bindings for children, so their bindings are redacted here instead.
  // Children inherit this property through their prototype chain, grandchildren included.
  const child = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, childOptions) {
    return child.call(this, redactSecrets(bindings) as typeof bindings, childOptions);
  } as typeof logger.child;
  return logger;
}
