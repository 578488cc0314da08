import { formatHeaderTime } from "../render/header.js";
import type { PrintMenu } from "./parse.js";

/** What the `print` commands show about a device. */
export interface DeviceFacts {
  readonly version: string;
  readonly major: 6 | 7;
  readonly model: string;
  readonly identity: string;
  readonly username: string;
  readonly bootedAt: Date;
  readonly history: readonly { readonly action: string; readonly at: Date }[];
}

const ARCHITECTURES: readonly [RegExp, string][] = [
  [/^CCR10/, "tile"],
  [/^(CCR20|CCR21|RB5009)/, "arm64"],
  [/^RB760/, "mmips"],
];

function architecture(model: string): string {
  return ARCHITECTURES.find(([re]) => re.test(model))?.[1] ?? "arm";
}

function uptime(ms: number): string {
  const units: [string, number][] = [
    ["w", 604_800],
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ];
  let rest = Math.max(0, Math.floor(ms / 1000));
  let out = "";
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || (unit === "s" && out === "")) out += `${n}${unit}`;
  }
  return out;
}

/** `key: value` lines with keys right-aligned, as RouterOS prints single-item menus. */
function properties(pairs: readonly [string, string][]): string[] {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 2;
  return pairs.map(([k, v]) => `${`${k}:`.padStart(width + 1)} ${v}`);
}

/** Column table with a header row; columns padded to their widest cell. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function buildTime(facts: DeviceFacts): string {
  const built = new Date(Date.UTC(2024, 9, 10, 14, 3, 32));
  const text = formatHeaderTime(built, facts.major === 6 ? "legacy" : "iso");
  return facts.major === 6 ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

function resource(facts: DeviceFacts, now: Date): string[] {
  const channel = facts.major === 6 ? "long-term" : "stable";
  return properties([
    ["uptime", uptime(now.getTime() - facts.bootedAt.getTime())],
    ["version", `${facts.version} (${channel})`],
    ["build-time", buildTime(facts)],
    ["factory-software", facts.major === 6 ? "6.44.6" : "7.1.5"],
    ["free-memory", "812.4MiB"],
    ["total-memory", "1024.0MiB"],
    ["cpu", architecture(facts.model) === "arm64" ? "ARM64" : "ARM"],
    ["cpu-count", "4"],
    ["cpu-frequency", "1400MHz"],
    ["cpu-load", "3%"],
    ["free-hdd-space", "96.5MiB"],
    ["total-hdd-space", "128.0MiB"],
    ["write-sect-since-reboot", "1840"],
    ["write-sect-total", "918204"],
    ["architecture-name", architecture(facts.model)],
    ["board-name", facts.model],
    ["platform", "MikroTik"],
  ]);
}

function packages(facts: DeviceFacts): string[] {
  if (facts.major === 7) {
    return [
      "Columns: NAME, VERSION, BUILD-TIME, SIZE",
      ...table(
        ["#", "NAME", "VERSION", "BUILD-TIME", "SIZE"],
        [["0", "routeros", facts.version, buildTime(facts), "12.1MiB"]],
      ),
    ];
  }
  const names = [
    `routeros-${architecture(facts.model)}`,
    "system",
    "ipv6",
    "wireless",
    "dhcp",
    "ppp",
    "routing",
    "security",
  ];
  return [
    "Flags: X - disabled ",
    ...table(
      [" #", "NAME", "VERSION", "SCHEDULED"],
      names.map((n, i) => [String(i).padStart(2), n, facts.version, ""]),
    ),
  ];
}

function history(facts: DeviceFacts): string[] {
  const rows = facts.history.map((h) => ["U", h.action, facts.username, "write", formatHeaderTime(h.at, "iso")]);
  const flags = "Flags: U - undoable, R - redoable, F - floating-undo";
  if (facts.major === 6)
    return [
      `${flags} `,
      ...table(
        ["", "ACTION", "BY", "POLICY"],
        rows.map((r) => r.slice(0, 4)),
      ),
    ];
  return [flags, "Columns: ACTION, BY, POLICY, TIME", ...table(["", "ACTION", "BY", "POLICY", "TIME"], rows)];
}

/** Output of `/system <menu> print`, CRLF-terminated. */
export function printOutput(menu: PrintMenu, facts: DeviceFacts, now: Date): string {
  let lines: string[];
  switch (menu) {
    case "resource":
      lines = resource(facts, now);
      break;
    case "identity":
      lines = properties([["name", facts.identity]]);
      break;
    case "package":
      lines = packages(facts);
      break;
    case "history":
      lines = history(facts);
      break;
  }
  return `${lines.join("\r\n")}\r\n`;
}
