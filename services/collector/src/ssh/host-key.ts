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
