import { ConfigChangeError } from "../errors.js";
import { attributeValue, setAttribute } from "../render/words.js";
import type { ConfigChange } from "../types.js";

/** One export section: `/ip address` and its logical (unwrapped) command lines. */
export interface ConfigSection {
  readonly path: string;
  readonly lines: string[];
}

/** Comment lines under the header: software id, model, serial number. */
export interface DeviceProfile {
  readonly softwareId: string;
  readonly model: string;
  readonly serial: string;
}

/** What one `/export` asks for, resolved against the device's version. */
export interface ExportFlags {
  readonly showSensitive: boolean;
  readonly terse: boolean;
  readonly verbose: boolean;
}

/**
 * A device's configuration: renders exports and takes changes. Synthetic devices keep a section
 * model; fixture devices keep the real file's bytes.
 */
export interface DeviceConfig {
  readonly version: string;
  readonly profile: DeviceProfile;
  /** `/system identity` name the config sets, or null. */
  identity(): string | null;
  /** Full export text with CRLF line ends and the header time `at`. */
  exportText(at: Date, flags: ExportFlags): string;
  /** Applies a change; returns the `/system history` action text. Throws ConfigChangeError. */
  apply(change: ConfigChange): string;
}

/** `/ip/address` or `ip address` → `/ip address`. */
export function normalizeSectionPath(path: string): string {
  const words = path
    .trim()
    .replace(/^\//, "")
    .split(/[/\s]+/)
    .filter(Boolean);
  return `/${words.join(" ")}`;
}

/** Sections whose entries carry a login secret, in the order set-secret searches them. */
export const SECRET_OWNER_SECTIONS = ["/user", "/ppp secret"] as const;

/** Whether `line` (an `add`/`set` entry of a secret owner section) is the one named `user`. */
export function ownsSecret(line: string, user: string): boolean {
  return /^(add|set)\b/.test(line) && attributeValue(line, "name") === user;
}

/** `/system history` action text for a change. */
export function historyAction(change: ConfigChange, section?: string): string {
  switch (change.op) {
    case "add":
      return `${normalizeSectionPath(change.section).split(" ").at(-1)} added`;
    case "remove":
      return "item removed";
    case "modify":
      return "item changed";
    case "set-secret":
      return section === "/ppp secret" ? "secret changed" : "user changed";
  }
}

/** Applies a change to a section model in place. */
export function applyToSections(sections: ConfigSection[], change: ConfigChange): string {
  switch (change.op) {
    case "add": {
      const path = normalizeSectionPath(change.section);
      let section = sections.find((s) => s.path === path);
      if (section === undefined) {
        section = { path, lines: [] };
        sections.push(section);
      }
      section.lines.push(change.line.trim());
      return historyAction(change);
    }
    case "remove":
    case "modify": {
      for (const section of sections) {
        const at = section.lines.findIndex((l) => l.includes(change.match));
        if (at === -1) continue;
        if (change.op === "remove") section.lines.splice(at, 1);
        else section.lines[at] = section.lines[at]!.replace(change.match, change.replace);
        return historyAction(change);
      }
      throw new ConfigChangeError(`no config line contains the given ${change.op} match`);
    }
    case "set-secret": {
      for (const path of SECRET_OWNER_SECTIONS) {
        const section = sections.find((s) => s.path === path);
        const at = section?.lines.findIndex((l) => ownsSecret(l, change.user)) ?? -1;
        if (section === undefined || at === -1) continue;
        section.lines[at] = setAttribute(section.lines[at]!, "password", change.password);
        return historyAction(change, path);
      }
      throw new ConfigChangeError("no /user or /ppp secret entry has that name");
    }
  }
}
