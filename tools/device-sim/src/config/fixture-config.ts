import { ConfigChangeError } from "../errors.js";
import { formatHeaderTime, parseHeaderLine } from "../render/header.js";
import { attributeValue, setAttribute } from "../render/words.js";
import { wrapLine } from "../render/wrap.js";
import type { ConfigChange } from "../types.js";
import {
  type DeviceConfig,
  type DeviceProfile,
  historyAction,
  normalizeSectionPath,
  ownsSecret,
  SECRET_OWNER_SECTIONS,
} from "./model.js";

/** A real export file, read once and shared by every device that serves it. */
export interface FixtureFile {
  readonly fileName: string;
  readonly text: string;
  readonly version: string;
  readonly profile: DeviceProfile;
  readonly identity: string | null;
}

/** One logical line of the file with its exact original bytes (continuations and line end included). */
interface Block {
  raw: string;
  logical: string;
  /** Menu path the line belongs to, or "" for comments. */
  section: string;
  /** The command (`add ...`, `set ...`) without its path, or null for section lines and comments. */
  entry: string | null;
}

const VERBS = new Set(["add", "set", "remove", "move", "enable", "disable", "unset", "edit", "comment"]);

function stripEol(raw: string): string {
  return raw.replace(/\r?\n$/, "");
}

function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let section = "";
  let pending: { raw: string; logical: string } | null = null;
  for (const raw of text.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
    const line = stripEol(raw);
    const logical: string = pending === null ? line : pending.logical + line.replace(/^ {4}/, "");
    const whole: string = (pending?.raw ?? "") + raw;
    if (line.endsWith("\\") && !line.startsWith("#")) {
      pending = { raw: whole, logical: logical.slice(0, -1) };
      continue;
    }
    pending = null;
    const words = logical.split(" ");
    if (logical.startsWith("/")) {
      const verbAt = words.findIndex((w) => VERBS.has(w) || w.includes("=") || w.startsWith("["));
      if (verbAt === -1) {
        section = normalizeSectionPath(logical);
        blocks.push({ raw: whole, logical, section, entry: null });
      } else {
        const path = normalizeSectionPath(words.slice(0, verbAt).join(" "));
        blocks.push({ raw: whole, logical, section: path, entry: words.slice(verbAt).join(" ") });
      }
    } else if (logical.startsWith("#") || logical.trim() === "") {
      blocks.push({ raw: whole, logical, section: "", entry: null });
    } else {
      blocks.push({ raw: whole, logical, section, entry: logical });
    }
  }
  if (pending !== null) blocks.push({ raw: pending.raw, logical: pending.logical, section, entry: pending.logical });
  return blocks;
}

/** Reads version, model, serial, software id and identity from an export's text. */
export function describeFixture(fileName: string, text: string): FixtureFile {
  const firstLine = stripEol(text.slice(0, text.indexOf("\n") + 1 || text.length));
  const comment = (label: string): string => new RegExp(`^# ${label} = ?(.*?)\\r?$`, "m").exec(text)?.[1]?.trim() ?? "";
  const identityLine =
    /^\/system identity\r?\n(set .*)$/m.exec(text)?.[1] ?? /^\/system identity (set .*)$/m.exec(text)?.[1];
  return {
    fileName,
    text,
    version: parseHeaderLine(firstLine)?.version ?? /__ros([^_]+)\.rsc$/.exec(fileName)?.[1] ?? "7.16.1",
    profile: { model: comment("model"), serial: comment("serial number"), softwareId: comment("software id") },
    identity: identityLine === undefined ? null : attributeValue(identityLine.replace(/\r$/, ""), "name"),
  };
}

/**
 * A device serving a real export: the file's bytes are sent as they are, whatever the export flags,
 * except the header time, which becomes the current time in the file's own date style. Changes edit
 * the affected logical lines only (re-wrapped when the file is wrapped), leaving all other bytes.
 */
export class FixtureConfig implements DeviceConfig {
  /** Parsed lazily: most fixture devices are never changed and keep sharing the file's text. */
  private blocks: Block[] | null = null;
  private bodyCache: string | null = null;

  constructor(private readonly file: FixtureFile) {}

  get version(): string {
    return this.file.version;
  }

  get profile(): DeviceProfile {
    return this.file.profile;
  }

  identity(): string | null {
    if (this.blocks === null) return this.file.identity;
    const line = this.blocks.find((b) => b.section === "/system identity" && b.entry?.startsWith("set "));
    return line?.entry ? attributeValue(line.entry, "name") : null;
  }

  private text(): string {
    if (this.blocks === null) return this.file.text;
    this.bodyCache ??= this.blocks.map((b) => b.raw).join("");
    return this.bodyCache;
  }

  exportText(at: Date): string {
    const text = this.text();
    const end = text.indexOf("\n") === -1 ? text.length : text.indexOf("\n");
    const header = parseHeaderLine(text.slice(0, end).replace(/\r$/, ""));
    if (header === null) return text;
    const old = /^# (\S+ \S+)/.exec(text)![1]!;
    return `# ${formatHeaderTime(at, header.style)}${text.slice(2 + old.length)}`;
  }

  apply(change: ConfigChange): string {
    this.blocks ??= parseBlocks(this.file.text);
    this.bodyCache = null;
    const blocks = this.blocks;
    const eol = this.file.text.includes("\r\n") ? "\r\n" : "\n";
    const terse = blocks.some((b) => b.entry !== null && b.logical.startsWith("/"));
    const wraps = blocks.some((b) => b.raw.includes("\\\n") || b.raw.includes("\\\r\n"));
    const render = (block: Block, logical: string): void => {
      const end = /\r?\n$/.exec(block.raw)?.[0] ?? "";
      block.logical = logical;
      block.entry = terse ? logical.slice(block.section.length + 1) : logical;
      block.raw = (wraps && !terse ? wrapLine(logical) : [logical]).join(eol) + end;
    };
    switch (change.op) {
      case "add": {
        const path = normalizeSectionPath(change.section);
        const line = change.line.trim();
        const logical = terse ? `${path} ${line}` : line;
        const ensureEol = (b: Block | undefined): void => {
          if (b !== undefined && !b.raw.endsWith("\n")) b.raw += eol;
        };
        let at = blocks.findLastIndex((b) => b.section === path);
        if (at === -1) {
          ensureEol(blocks.at(-1));
          if (!terse) blocks.push({ raw: `${path}${eol}`, logical: path, section: path, entry: null });
          at = blocks.length - 1;
        }
        if (at === blocks.length - 1) ensureEol(blocks[at]);
        const block: Block = { raw: eol, logical, section: path, entry: line };
        render(block, logical);
        blocks.splice(at + 1, 0, block);
        return historyAction(change);
      }
      case "remove":
      case "modify": {
        const at = blocks.findIndex((b) => b.entry !== null && b.logical.includes(change.match));
        if (at === -1) throw new ConfigChangeError(`no config line contains the given ${change.op} match`);
        if (change.op === "remove") blocks.splice(at, 1);
        else render(blocks[at]!, blocks[at]!.logical.replace(change.match, change.replace));
        return historyAction(change);
      }
      case "set-secret": {
        for (const path of SECRET_OWNER_SECTIONS) {
          const block = blocks.find((b) => b.section === path && b.entry !== null && ownsSecret(b.entry, change.user));
          if (block === undefined) continue;
          const entry = setAttribute(block.entry!, "password", change.password);
          render(block, terse ? `${path} ${entry}` : entry);
          return historyAction(change, path);
        }
        throw new ConfigChangeError("no /user or /ppp secret entry has that name");
      }
    }
  }
}
