import { createHash } from "node:crypto";

/**
 * OpenSSH-style fingerprint of a raw host key blob: `SHA256:` + base64(sha256(blob)) without
 * padding, the same string `ssh-keygen -lf` prints.
 */
export function hostKeyFingerprint(keyBlob: Uint8Array): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

export type HostKeyDecision =
  | { readonly kind: "accept"; readonly fingerprint: string; readonly pinned: boolean }
  | { readonly kind: "reject"; readonly fingerprint: string };

/**
 * Trust on first use: with no pinned fingerprint the key is accepted and reported so the
 * ingestor can pin it; with one, only that exact key is accepted.
 */
export function verifyHostKey(keyBlob: Uint8Array, pinned: string | null): HostKeyDecision {
  const fingerprint = hostKeyFingerprint(keyBlob);
  if (pinned === null) return { kind: "accept", fingerprint, pinned: false };
  return fingerprint === pinned ? { kind: "accept", fingerprint, pinned: true } : { kind: "reject", fingerprint };
}

/**
 * Key type named at the start of an SSH public key blob (`ssh-ed25519`, `ssh-rsa`,
 * `ecdsa-sha2-nistp256`), or null when the blob is not one.
 */
export function hostKeyType(keyBlob: Uint8Array): string | null {
  const blob = Buffer.from(keyBlob.buffer, keyBlob.byteOffset, keyBlob.byteLength);
  if (blob.length < 4) return null;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || blob.length < 4 + length) return null;
  const type = blob.toString("latin1", 4, 4 + length);
  return /^[a-z0-9@.-]+$/.test(type) ? type : null;
}
