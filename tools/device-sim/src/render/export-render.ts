import type { ConfigSection, DeviceProfile, ExportFlags } from "../config/model.js";
import { stripSecrets } from "./secrets.js";
import { attributeKey, splitWords } from "./words.js";
import { wrapLine } from "./wrap.js";

/** Attributes `/export verbose` adds (defaults a compact export leaves out), per section. */
const VERBOSE_DEFAULTS: Readonly<Record<string, string>> = {
  "/interface bridge": "ageing-time=5m arp=enabled disabled=no mtu=auto protocol-mode=rstp vlan-filtering=no",
  "/interface vlan": "arp=enabled disabled=no mtu=1500 use-service-tag=no",
  "/ip address": "disabled=no",
  "/ip dhcp-server lease": "block-access=no disabled=no lease-time=0s",
  "/ip firewall address-list": "disabled=no dynamic=no",
  "/ip firewall filter": 'disabled=no log=no log-prefix=""',
  "/ip firewall nat": 'disabled=no log=no log-prefix=""',
  "/ip route": "disabled=no distance=1 scope=30 target-scope=10",
  "/ppp secret": 'disabled=no routes=""',
  "/user": 'address="" disabled=no',
};

function sortKey(word: string): string {
  return attributeKey(word) ?? word.replace(/^!/, "");
}

/** `line` with the section's default attributes merged in, attributes sorted as RouterOS prints them. */
function verboseLine(path: string, line: string): string {
  const defaults = VERBOSE_DEFAULTS[path];
  if (defaults === undefined || !/^(add|set)\b/.test(line)) return line;
  const words = splitWords(line);
  let first = 1;
  while (first < words.length && words[first]!.startsWith("[")) first++;
  const attrs = words.slice(first);
  const present = new Set(attrs.map(sortKey));
  for (const word of splitWords(defaults)) if (!present.has(sortKey(word))) attrs.push(word);
  attrs.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  return [...words.slice(0, first), ...attrs].join(" ");
}

/** The comment block after the time line. */
export function profileComments(profile: DeviceProfile): string[] {
  return [
    `# software id = ${profile.softwareId}`,
    "#",
    `# model = ${profile.model}`,
    `# serial number = ${profile.serial}`,
  ];
}

/**
 * Everything after the header time line, CRLF-terminated: profile comments, then each non-empty
 * section as RouterOS prints it (section line + wrapped entries, or one full line per entry when
 * terse).
 */
export function renderBody(profile: DeviceProfile, sections: readonly ConfigSection[], flags: ExportFlags): string {
  const out = profileComments(profile);
  for (const section of sections) {
    if (section.lines.length === 0) continue;
    if (!flags.terse) out.push(section.path);
    for (const raw of section.lines) {
      let line = flags.showSensitive ? raw : stripSecrets(raw);
      if (flags.verbose) line = verboseLine(section.path, line);
      if (flags.terse) out.push(`${section.path} ${line}`);
      else for (const physical of wrapLine(line)) out.push(physical);
    }
  }
  out.push("");
  return out.join("\r\n");
}
