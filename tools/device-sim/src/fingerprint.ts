import { createHash } from "node:crypto";

/**
 * OpenSSH SHA256 fingerprint of a raw public key blob (what ssh2's `hostVerifier` receives),
 * e.g. `SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s`, identical to `ssh-keygen -lf`.
 */
export function fingerprintOf(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(publicKeyBlob).digest("base64").replace(/=+$/, "")}`;
}
