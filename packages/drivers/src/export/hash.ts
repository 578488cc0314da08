import { createHash } from "node:crypto";

/** Lowercase hex sha256 of the UTF-8 bytes of `text`: the identity of a normalized config version. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
