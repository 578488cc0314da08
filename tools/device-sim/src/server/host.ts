import type { FailureMode } from "../types.js";
import type { DeliveryTuning } from "./deliver.js";

/** What one console input produced, before failure modes and latency are applied. */
export type Reply =
  | { readonly kind: "text"; readonly text: string; readonly exitCode: number }
  | { readonly kind: "export"; readonly text: string }
  | { readonly kind: "quit" };

/**
 * The device as the SSH layer sees it: credentials, current failure mode, and a command
 * interpreter. Keeps ssh2 handling independent of how devices store config and stats.
 */
export interface SshHost {
  readonly username: string;
  readonly password: string;
  readonly version: string;
  readonly failure: FailureMode | null;
  readonly tuning: DeliveryTuning;
  /** Prompt text, `[admin@<identity>] > `. */
  prompt(): string;
  /** Whether this public key (algorithm + raw blob) may log in; verifying the signature is the caller's job. */
  authorizedKey(
    algo: string,
    blob: Buffer,
  ): { verify(data: Buffer, signature: Buffer, hashAlgo?: string): boolean } | null;
  /** Delay before a command answers (latency + jitter). */
  commandDelayMs(): number;
  /** Interprets one input (exec command or shell line) and counts it. */
  respond(input: string): readonly Reply[];
  /** The oversize mode's streamed export. */
  oversizeExport(): Iterable<string>;
  /** Cut points already used by the `cut-byte` and `cut-line` modes (cleared with the mode). */
  readonly usedCuts: Set<number>;
}
