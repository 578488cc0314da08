import { stdSerializers } from "pino";

/**
 * Redaction of log data (pure). Applied by {@link createLogger} to every logged object and every
 * child-logger binding, at any depth, so a secret handed to the logger by mistake is replaced by
 * {@link REDACTED} instead of reaching the output.
 *
 * A key is secret when, lower-cased with `-`, `_` and spaces removed, it
 * - equals one of {@link SECRET_KEYS}: password, passwd, passphrase, privatekey, secret, token,
 *   authorization, proxyauthorization, cookie, setcookie, credentials, apikey, sealkeys, keyring,
 *   and `text`, `config`, `content` (device configuration text and the objects holding it);
 * - or ends with one of {@link SECRET_SUFFIXES} (`adminPassword`, `clientSecret`, `accessToken`,
 *   `x-api-key`, `sealedCredentials`, ...);
 * - or starts with `sealed` (`sealed`, `sealedContent`, `sealedGzipBase64`, `sealedBytes`, ...).
 *
 * Errors anywhere are serialized (type, message, stack, own properties such as `err.config`)
 * and then redacted like any object. Binary values become `[binary N bytes]`, the user-info
 * password of URLs in string values becomes `[redacted]`, and data nested deeper than
 * {@link MAX_DEPTH} is cut off rather than risk showing it.
 *
 * Not covered: text interpolated into the message string (`log.info("x %s", secret)`). Pass
 * data as the merge object, never inside the message.
 */

export const REDACTED = "[redacted]";

export const SECRET_KEYS: ReadonlySet<string> = new Set([
  "password",
  "passwd",
  "passphrase",
  "privatekey",
  "secret",
  "token",
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  "credentials",
  "apikey",
  "sealkeys",
  "keyring",
  "text",
  "config",
  "content",
]);

export const SECRET_SUFFIXES: readonly string[] = [
  "password",
  "passphrase",
  "privatekey",
  "secret",
  "token",
  "credentials",
  "apikey",
];

export const SECRET_PREFIX = "sealed";

export const MAX_DEPTH = 12;

/** Whether a property name is one whose value never reaches a log line. */
export function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[-_ ]/g, "");
  return (
    SECRET_KEYS.has(normalized) ||
    normalized.startsWith(SECRET_PREFIX) ||
    SECRET_SUFFIXES.some((suffix) => normalized.endsWith(suffix))
  );
}

const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^/\s@]+@/gi;

/** `nats://user:pass@host` → `nats://user:[redacted]@host`; other text unchanged. */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
}

/** Returns a redacted copy of `value`; the input is never modified. */
export function redactSecrets(value: unknown): unknown {
  return walk(value, 0, new WeakSet());
}

function walk(value: unknown, depth: number, ancestors: WeakSet<object>): unknown {
  if (typeof value === "string") return redactUrlCredentials(value);
  if (value === null || typeof value !== "object") return value;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[binary ${value.byteLength} bytes]`;
  if (depth >= MAX_DEPTH) return "[depth limit]";
  if (ancestors.has(value)) return "[circular]";
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, ancestors));
    if (value instanceof Error) return walkObject(stdSerializers.err(value), depth, ancestors);
    if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
      return walk((value as { toJSON(): unknown }).toJSON(), depth, ancestors);
    }
    return walkObject(value, depth, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function walkObject(value: object, depth: number, ancestors: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = isSecretKey(key) ? REDACTED : walk(inner, depth + 1, ancestors);
  }
  return out;
}
