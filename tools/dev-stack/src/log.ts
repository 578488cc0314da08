/**
 * Turns a service's pino JSON line into one short readable line:
 * `[collector-1] info  connected to NATS attempt=1 server=127.0.0.1:4222`.
 * Lines that are not pino JSON (a crash trace, tsx output) are passed through behind the prefix.
 * The services' logger has already redacted secrets; nothing is added back here.
 */

/** Fields every pino line carries that the prefix and level already say. */
const OMITTED = new Set(["level", "time", "pid", "hostname", "name", "msg", "v"]);
const MAX_VALUE_CHARS = 160;

/** Longest process name of the stack, so every prefix has the same width. */
const NAME_WIDTH = "collector-2".length;

/** `[name]` padded to `width` characters, so the messages of several services line up. */
export function servicePrefix(name: string, width = NAME_WIDTH): string {
  return `[${name}]`.padEnd(width + 2);
}

export function formatLogLine(prefix: string, line: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return `${prefix} ${line}`;
  }
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return `${prefix} ${line}`;
  const record = entry as Record<string, unknown>;
  const level = typeof record.level === "string" ? record.level : String(record.level ?? "");
  const msg = typeof record.msg === "string" ? record.msg : "";
  const fields = Object.entries(record)
    .filter(([key]) => !OMITTED.has(key))
    .map(([key, value]) => `${key}=${key === "err" ? formatError(value) : formatValue(value)}`);
  return [`${prefix} ${level.padEnd(5)}`, msg, ...fields].filter(Boolean).join(" ");
}

function formatValue(value: unknown): string {
  const compact = shorten(value);
  const text =
    typeof compact === "string"
      ? /[\s"=]/.test(compact) || compact === ""
        ? JSON.stringify(compact)
        : compact
      : JSON.stringify(compact, (_key, inner: unknown) => shorten(inner));
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LONG_HEX = /^[0-9a-f]{40,}$/i;

/** Ids to their first 8 characters, hashes to 12, fractional numbers to one decimal: enough to tell apart. */
function shorten(value: unknown): unknown {
  if (typeof value === "number" && !Number.isInteger(value)) return Math.round(value * 10) / 10;
  if (typeof value !== "string") return value;
  if (UUID.test(value)) return value.slice(0, 8);
  if (LONG_HEX.test(value)) return value.slice(0, 12);
  return value;
}

/** `Type: message [CODE]`, plus its cause's message; no stack (the JSON line has it for who needs it). */
function formatError(value: unknown): string {
  if (value === null || typeof value !== "object") return formatValue(value);
  const err = value as Record<string, unknown>;
  const type = typeof err.type === "string" ? err.type : typeof err.name === "string" ? err.name : "Error";
  const code = typeof err.code === "string" ? ` [${err.code}]` : "";
  const cause = err.cause && typeof err.cause === "object" ? (err.cause as Record<string, unknown>).message : undefined;
  const text = `${type}: ${String(err.message ?? "")}${code}${typeof cause === "string" ? ` (cause: ${cause})` : ""}`;
  return formatValue(text);
}
