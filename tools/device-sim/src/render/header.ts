/**
 * The first export line, `# <time> by RouterOS <version>`. RouterOS 6 (and 7 before 7.10) writes
 * `nov/30/2026 12:00:00`; 7.10 and later write `2026-11-30 12:00:00`. The simulated clock is UTC.
 */

export type HeaderStyle = "legacy" | "iso";

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const HEADER = /^# (\S+) (\d{2}:\d{2}:\d{2}) by RouterOS (\S+)/;

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** Header style a RouterOS version uses. */
export function headerStyleFor(version: string): HeaderStyle {
  const [major, minor] = version.split(".").map((part) => Number.parseInt(part, 10));
  if (major === undefined || major < 7) return "legacy";
  return major === 7 && (minor ?? 0) < 10 ? "legacy" : "iso";
}

/** `nov/30/2026 12:00:00` or `2026-11-30 12:00:00` for `at` (UTC). */
export function formatHeaderTime(at: Date, style: HeaderStyle): string {
  const time = `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}`;
  const day = pad(at.getUTCDate());
  if (style === "iso") return `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${day} ${time}`;
  return `${MONTHS[at.getUTCMonth()]}/${day}/${at.getUTCFullYear()} ${time}`;
}

/** The whole header line, without line end. */
export function headerLine(at: Date, version: string): string {
  return `# ${formatHeaderTime(at, headerStyleFor(version))} by RouterOS ${version}`;
}

/** What a header line says, or null when `line` is not one. `at` is read as UTC. */
export function parseHeaderLine(line: string): { at: Date; style: HeaderStyle; version: string } | null {
  const m = HEADER.exec(line);
  if (m === null) return null;
  const [, date, time, version] = m as unknown as [string, string, string, string];
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const legacy = /^([a-z]{3})\/(\d{2})\/(\d{4})$/.exec(date);
  let ymd: [number, number, number];
  if (iso !== null) ymd = [Number(iso[1]), Number(iso[2]) - 1, Number(iso[3])];
  else if (legacy !== null) ymd = [Number(legacy[3]), MONTHS.indexOf(legacy[1]!), Number(legacy[2])];
  else return null;
  const [h, m2, s] = time.split(":").map(Number) as [number, number, number];
  return { at: new Date(Date.UTC(ymd[0], ymd[1], ymd[2], h, m2, s)), style: iso !== null ? "iso" : "legacy", version };
}
