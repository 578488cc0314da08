import fc from "fast-check";
import type { CheckedExport, CommandOutput } from "../driver.js";
import { sha256Hex } from "../export/hash.js";
import { routerOsDriver } from "./index.js";

/**
 * Test support: synthetic RouterOS configs and a renderer that writes them the way the device
 * does (header, sections, long lines wrapped with ` \` and a four-space indent, also inside
 * strings but never inside an escape sequence), so properties can vary one thing at a time.
 */
export interface SyntheticLine {
  readonly verb: "add" | "set";
  readonly attributes: readonly (readonly [name: string, value: string])[];
}

export interface SyntheticSection {
  readonly menu: string;
  readonly lines: readonly SyntheticLine[];
}

export interface SyntheticConfig {
  readonly softwareId: string;
  readonly sections: readonly SyntheticSection[];
}

const token = fc.stringMatching(/^[a-z0-9][a-z0-9.:/-]{0,24}$/);
/** Quoted values with spaces and escapes, long enough to be wrapped inside the string. */
const quoted = fc
  .array(fc.constantFrom("a", "b", "Z", "0", " ", "-", '\\"', "\\\\", "\\r\\n", "\\$", "\\_", "\\7F"), {
    minLength: 0,
    maxLength: 60,
  })
  .map((parts) => `"${parts.join("")}"`);

const attribute = fc.tuple(
  fc.constantFrom("name", "comment", "address", "interface", "chain", "action", "src-address", "source", "list"),
  fc.oneof(token, quoted),
);

const line: fc.Arbitrary<SyntheticLine> = fc.record({
  verb: fc.constantFrom("add" as const, "set" as const),
  attributes: fc.array(attribute, { minLength: 1, maxLength: 8 }),
});

export const syntheticConfig: fc.Arbitrary<SyntheticConfig> = fc.record({
  softwareId: fc.stringMatching(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/),
  sections: fc.array(
    fc.record({
      menu: fc.constantFrom(
        "/interface bridge",
        "/ip address",
        "/ip firewall filter",
        "/system script",
        "/tool e-mail",
      ),
      lines: fc.array(line, { minLength: 1, maxLength: 5 }),
    }),
    { minLength: 1, maxLength: 5 },
  ),
});

/** A RouterOS export header time in v6 (`mmm/dd/yyyy`) or v7 (`yyyy-mm-dd`) form. */
export const headerTime: fc.Arbitrary<string> = fc
  .tuple(
    fc.boolean(),
    fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true }),
  )
  .map(([v6, date]) => formatHeaderTime(date, v6 ? "v6" : "v7"));

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

export function formatHeaderTime(date: Date, form: "v6" | "v7"): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  const day = pad(date.getUTCDate());
  return form === "v6"
    ? `${MONTHS[date.getUTCMonth()]}/${day}/${date.getUTCFullYear()} ${time}`
    : `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${day} ${time}`;
}

export interface RenderOptions {
  readonly time: string;
  readonly version?: string;
  /** Wrap column; 0 = never wrap. */
  readonly width: number;
  readonly eol?: "\n" | "\r\n";
}

export function renderExport(config: SyntheticConfig, options: RenderOptions): string {
  const out = [
    `# ${options.time} by RouterOS ${options.version ?? "7.16.1"}`,
    `# software id = ${config.softwareId}`,
    "#",
  ];
  for (const section of config.sections) {
    out.push(section.menu);
    for (const l of section.lines) out.push(...wrapLine(logicalText(l), options.width));
  }
  const eol = options.eol ?? "\n";
  return out.join(eol) + eol;
}

export function logicalText(line: SyntheticLine): string {
  return [line.verb, ...line.attributes.map(([name, value]) => `${name}=${value}`)].join(" ");
}

/** Wraps like RouterOS: ` \` between tokens, a bare `\` inside strings (never within an escape). */
export function wrapLine(text: string, width: number): string[] {
  if (width <= 0) return [text];
  const physical: string[] = [];
  let current = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const piece = inString && ch === "\\" ? text.slice(i, ++i + 1) : ch;
    if (ch === '"') inString = !inString;
    const limit = physical.length === 0 ? width : width - 4;
    const more = i < text.length - 1;
    if (more && current.length + piece.length >= limit && (inString || piece === " ")) {
      physical.push(`${current}${piece}\\`);
      current = "";
      continue;
    }
    current += piece;
  }
  physical.push(current);
  return physical.map((p, index) => (index === 0 ? p : `    ${p}`));
}

/**
 * Test support: the whole-text check, then normalization, sha256 and version of its text — the
 * reference the one-pass and streaming checks must equal.
 */
export function checkThenNormalize(output: CommandOutput, limits: { readonly maxBytes: number }) {
  const checked = routerOsDriver.check(output, limits);
  if (!checked.ok) return checked;
  const text = routerOsDriver.normalize(checked.text);
  return {
    ok: true as const,
    text,
    bytes: Buffer.byteLength(text, "utf8"),
    sha256: sha256Hex(text),
    softwareVersion: routerOsDriver.softwareVersion(checked.text),
  };
}

/**
 * Test support: a one-pass or streaming check's result in {@link checkThenNormalize}'s shape (its
 * chunks joined into the text), to compare the two with `deepEqual`.
 */
export function comparableCheck(result: CheckedExport) {
  if (!result.ok) return result;
  const joined = Buffer.concat(result.normalized.chunks);
  if (joined.length !== result.normalized.bytes) {
    throw new Error(`chunks hold ${joined.length} bytes, the result says ${result.normalized.bytes}`);
  }
  return {
    ok: true as const,
    text: joined.toString("utf8"),
    bytes: result.normalized.bytes,
    sha256: result.normalized.sha256,
    softwareVersion: result.softwareVersion,
  };
}
