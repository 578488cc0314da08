import type { DeviceProfile } from "../config/model.js";
import { Rng } from "../config/random.js";
import { profileComments } from "./export-render.js";
import { headerLine } from "./header.js";

const CHUNK_BYTES = 64 * 1024;

/**
 * A valid-looking export of about `totalBytes` (header, comments, then an endless address list),
 * produced in 64 KiB chunks so tens of MiB stream without being held in memory.
 */
export function* oversizeExport(
  at: Date,
  version: string,
  profile: DeviceProfile,
  totalBytes: number,
): Generator<string> {
  const rng = new Rng(totalBytes);
  let chunk = `${[headerLine(at, version), ...profileComments(profile), "/ip firewall address-list"].join("\r\n")}\r\n`;
  let sent = 0;
  for (let i = 0; sent + chunk.length < totalBytes; i++) {
    chunk += `add address=${10 + rng.int(200)}.${rng.int(256)}.${rng.int(256)}.${rng.int(256)} comment=bulk-${i} list=oversize\r\n`;
    if (chunk.length >= CHUNK_BYTES) {
      sent += chunk.length;
      yield chunk;
      chunk = "";
    }
  }
  if (chunk !== "") yield chunk;
}

/** Deterministic non-text bytes (NULs, invalid UTF-8, control characters) for the `garbage` mode. */
export function garbageBytes(seed: number, length: number): Buffer {
  const rng = new Rng(seed);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = i % 7 === 0 ? [0x00, 0xff, 0xfe, 0x1b][rng.int(4)]! : rng.int(256);
  return out;
}

/**
 * Where the `truncate` mode stops: just after the first ` \` continuation at or past the middle
 * (or the last one before it), so the text ends mid-line in ` \` as a cut-off RouterOS export
 * does. Without any continuation, it cuts the middle line at a space and adds the backslash.
 */
export function truncatedExport(text: string): string {
  const half = Math.floor(text.length / 2);
  const after = text.indexOf(" \\\r\n", half);
  const at = after !== -1 ? after : text.lastIndexOf(" \\\r\n", half);
  if (at !== -1) return text.slice(0, at + 2);
  const space = text.lastIndexOf(" ", half);
  return `${text.slice(0, space > 0 ? space : half)} \\`;
}

/**
 * Where the `cut-byte` and `cut-line` modes stop an export: a random point after the header line,
 * just after a line end (`line`) or anywhere else (`byte`), never one in `used` (which it adds
 * to), so a device cuts every export differently. The whole text when no point is left.
 */
export function cutExport(text: string, kind: "byte" | "line", used: Set<number>): string {
  const start = text.indexOf("\n") + 1;
  const fits = (at: number): boolean => {
    const afterLineEnd = text[at - 1] === "\n";
    return (
      at > start &&
      at < text.length &&
      !used.has(at) &&
      (kind === "line" ? afterLineEnd : !afterLineEnd && text[at - 1] !== "\r")
    );
  };
  for (let tries = 0; tries < 10_000; tries++) {
    let at = start + 1 + Math.floor(Math.random() * (text.length - start - 1));
    if (kind === "line") at = text.indexOf("\n", at) + 1;
    if (at > 0 && fits(at)) {
      used.add(at);
      return text.slice(0, at);
    }
  }
  return text;
}
