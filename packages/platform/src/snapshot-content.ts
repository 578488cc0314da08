import { Readable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { createGzip, type Gzip, gunzipSync, gzipSync } from "node:zlib";
import { INLINE_CONTENT_LIMIT_BYTES, type SentSnapshotContent } from "@netledger/contracts";
import { SnapshotContentError } from "./errors.js";
import type { Sealer } from "./seal.js";

/**
 * Snapshot text on the wire: gzip, then seal (AES-256-GCM) with AAD bound to the device, so the
 * snapshots stream never holds config text in the clear and a ciphertext cannot be replayed onto
 * another device. Small content rides inline in the event; content whose sealed form exceeds
 * {@link INLINE_CONTENT_LIMIT_BYTES} goes to the snapshot object-store bucket (NATS max_payload
 * is 1 MiB, so multi-MB exports cannot travel inline).
 */

/**
 * Gzip of `content` (a text, or UTF-8 bytes in pieces). Up to {@link SYNC_GZIP_MAX_BYTES} in one
 * synchronous call: a typical export costs a fraction of what a stream costs (no stream machinery,
 * no hop to the thread pool). Larger content is streamed, a text in slices and pieces as they are,
 * so a multi-MB text is never held a second time as one Buffer. The gzip bytes are the same
 * either way.
 */
async function gzipContent(content: SnapshotText): Promise<Uint8Array> {
  if (isGzipped(content)) return content.gzipped;
  if (typeof content === "string") {
    // A UTF-16 code unit is at most 3 UTF-8 bytes.
    if (content.length * 3 <= SYNC_GZIP_MAX_BYTES) return gzipSync(Buffer.from(content, "utf8"), GZIP);
    return gzipStream(textSlices(content));
  }
  const bytes = content.reduce((sum, piece) => sum + piece.byteLength, 0);
  if (bytes <= SYNC_GZIP_MAX_BYTES)
    return gzipSync(content.length === 1 ? content[0]! : Buffer.concat(content, bytes), GZIP);
  return gzipStream(content);
}

async function gzipStream(pieces: Iterable<string | Uint8Array>): Promise<Buffer> {
  const gzipped: Buffer[] = [];
  await pipeline(Readable.from(pieces), createGzip(GZIP), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) gzipped.push(chunk);
  });
  return Buffer.concat(gzipped);
}

/**
 * Snapshot text already gzipped by {@link SnapshotGzip} (same settings as {@link sealSnapshotContent}):
 * sealed as it is.
 */
export interface GzippedSnapshotText {
  readonly gzipped: Uint8Array;
}

/** A snapshot text as sealing takes it: one string, UTF-8 pieces in order, or already gzipped. */
export type SnapshotText = string | readonly Uint8Array[] | GzippedSnapshotText;

function isGzipped(content: SnapshotText): content is GzippedSnapshotText {
  return typeof content !== "string" && !Array.isArray(content);
}

/**
 * Gzips a snapshot text while it is being made, piece by piece (`write`), so a large text is never
 * held whole: from the first piece past {@link SYNC_GZIP_MAX_BYTES} on, pieces go to a gzip stream
 * (same settings as {@link sealSnapshotContent}) and only its compressed output is kept. Smaller
 * texts keep their pieces and are gzipped in one synchronous call when sealed, as before. `end`
 * gives what {@link sealSnapshotContent} takes as `text`; `destroy` frees the stream of a text
 * that will not be sealed. The gzip bytes may differ from a one-shot gzip of the same text (they
 * depend on how it was cut), but they open to the same text.
 *
 * @example
 * const gzip = new SnapshotGzip();
 * reader = driver.exportReader(limits, { onNormalized: (chunk) => gzip.write(chunk) });
 * const text = await gzip.end(); // then sealSnapshotContent({ text, ... })
 */
export class SnapshotGzip {
  #pieces: Uint8Array[] = [];
  #bytes = 0;
  #stream: Gzip | null = null;
  #gzipped: Buffer[] = [];
  #error: unknown = null;

  /** Bytes written so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Whether the text went past the synchronous threshold and is being gzipped as it comes. */
  get streaming(): boolean {
    return this.#stream !== null;
  }

  write(piece: Uint8Array): void {
    this.#bytes += piece.byteLength;
    if (this.#stream !== null) {
      this.#stream.write(piece);
      return;
    }
    this.#pieces.push(piece);
    if (this.#bytes <= SYNC_GZIP_MAX_BYTES) return;
    const stream = createGzip(GZIP);
    stream.on("data", (chunk: Buffer) => this.#gzipped.push(chunk));
    stream.on("error", (error) => {
      this.#error ??= error;
    });
    this.#stream = stream;
    for (const held of this.#pieces) stream.write(held);
    this.#pieces = [];
  }

  /** The text written, ready to seal. Call once, after the last `write`. */
  async end(): Promise<SnapshotText> {
    const stream = this.#stream;
    if (stream === null) return this.#pieces;
    stream.end();
    await finished(stream);
    if (this.#error !== null) throw this.#error;
    const gzipped = Buffer.concat(this.#gzipped);
    this.#gzipped = [];
    return { gzipped };
  }

  /** Drops what was written and frees the gzip stream (a read discarded or failed). */
  destroy(): void {
    this.#stream?.destroy();
    this.#pieces = [];
    this.#gzipped = [];
  }
}

/**
 * Snapshot content is gzipped at level 3, not zlib's default 6: on the real RouterOS exports it
 * takes half the CPU (every backup pays it) for 12 % more bytes (1.28 MB of normalized text:
 * 248 KB at 6, 277 KB at 3, 292 KB at 1). Only changed versions are stored, so CPU is the cost
 * that counts. Readers do not care: gunzip reads every level.
 */
const GZIP = { level: 3 } as const;

/** Content up to this many bytes is gzipped in one synchronous call (see {@link gzipContent}). */
const SYNC_GZIP_MAX_BYTES = 1024 * 1024;

const SLICE_CHARS = 64 * 1024;

/** `text` in slices of about SLICE_CHARS, never splitting a surrogate pair (it would not encode). */
function* textSlices(text: string): Generator<string> {
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + SLICE_CHARS, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield text.slice(start, end);
    start = end;
  }
}

/** Default ceiling on opened text: a hostile or corrupt blob cannot inflate without bound. */
const DEFAULT_MAX_TEXT_BYTES = 256 * 1024 * 1024;

/** The subset of `@nats-io/obj` ObjectStore that snapshot content needs (a real ObjectStore fits). */
export interface SnapshotBlobStore {
  putBlob(meta: { name: string }, data: Uint8Array): Promise<unknown>;
  getBlob(name: string): Promise<Uint8Array | null>;
}

/**
 * Associated data binding sealed device data (snapshot content, device credentials) to its owner.
 * One spelling for every service: the collector opens what the gateway sealed with it.
 */
export function deviceSealAad(tenantId: string, deviceId: string): string {
  return `${tenantId}:${deviceId}`;
}

export interface SealSnapshotContentInput {
  /**
   * The snapshot text, or its UTF-8 bytes in pieces in order (a driver's normalized chunks): the
   * sealed content is the same, and pieces are never joined into one text. Or the text already
   * gzipped as it was made ({@link SnapshotGzip}): sealed as it is.
   */
  readonly text: SnapshotText;
  readonly sealer: Sealer;
  /** Use {@link deviceSealAad}. */
  readonly aad: string;
  readonly blobs: SnapshotBlobStore;
  /** Bucket the blob store writes to; recorded in the content so readers know where to look. */
  readonly bucket: string;
  /** Object name used when the content is too large to go inline; unique per snapshot attempt. */
  readonly name: string;
  /** Defaults to {@link INLINE_CONTENT_LIMIT_BYTES}; lower only in tests. */
  readonly inlineLimitBytes?: number;
}

/**
 * Gzips and seals snapshot text; returns inline content, or stores the sealed bytes under `name`
 * and returns a reference.
 *
 * @example
 * const content = await sealSnapshotContent({ text, sealer, aad: deviceSealAad(t, d), blobs, bucket, name });
 * const again = await openSnapshotContent(content, { sealer, aad: deviceSealAad(t, d), blobs });
 */
export async function sealSnapshotContent(input: SealSnapshotContentInput): Promise<SentSnapshotContent> {
  const gzipped = await gzipContent(input.text);
  const sealed = input.sealer.seal(gzipped, input.aad);
  if (sealed.length <= (input.inlineLimitBytes ?? INLINE_CONTENT_LIMIT_BYTES)) {
    return { kind: "inline", sealedGzipBase64: sealed.toString("base64") };
  }
  await input.blobs.putBlob({ name: input.name }, sealed);
  return { kind: "object", bucket: input.bucket, name: input.name, sealedBytes: sealed.length };
}

export interface OpenSnapshotContentOptions {
  readonly sealer: Sealer;
  readonly aad: string;
  readonly blobs: SnapshotBlobStore;
  readonly maxTextBytes?: number;
}

/** Inverse of {@link sealSnapshotContent}. Throws SealError (wrong key/AAD, tampering) or SnapshotContentError. */
export async function openSnapshotContent(
  content: SentSnapshotContent,
  options: OpenSnapshotContentOptions,
): Promise<string> {
  const sealed = await readSealedSnapshotContent(content, options.blobs);
  return openSealedText(options.sealer, options.aad, sealed, options.maxTextBytes);
}

/**
 * The sealed bytes a snapshot content carries (inline) or points at (object store), not opened.
 * The ingestor stores exactly these bytes: they are already the at-rest format of {@link sealText}.
 * Throws SnapshotContentError when the object is missing or its size differs from the reference.
 */
export async function readSealedSnapshotContent(
  content: SentSnapshotContent,
  blobs: SnapshotBlobStore,
): Promise<Uint8Array> {
  switch (content.kind) {
    case "inline":
      return Buffer.from(content.sealedGzipBase64, "base64");
    case "object": {
      const blob = await blobs.getBlob(content.name);
      if (!blob) throw new SnapshotContentError("SNAPSHOT_BLOB_MISSING", "snapshot object not found in the blob store");
      if (blob.length !== content.sealedBytes) {
        throw new SnapshotContentError("SNAPSHOT_CONTENT_INVALID", "snapshot object size differs from its reference");
      }
      return blob;
    }
  }
}

/**
 * Text at rest, the same format as snapshot content on the wire: gzip, then seal with `aad`
 * (use {@link deviceSealAad}). Stored snapshots keep the collector's sealed bytes as they came;
 * stored diffs are sealed with this.
 */
export function sealText(sealer: Sealer, aad: string, text: string): Buffer {
  return sealer.seal(gzipSync(Buffer.from(text, "utf8")), aad);
}

/**
 * Inverse of {@link sealText}; opens stored snapshot content and diffs.
 * Throws SealError (wrong key/AAD, tampering) or SnapshotContentError (not gzip, too large).
 */
export function openSealedText(
  sealer: Sealer,
  aad: string,
  sealed: Uint8Array,
  maxTextBytes: number = DEFAULT_MAX_TEXT_BYTES,
): string {
  const gzipped = sealer.open(sealed, aad);
  try {
    return gunzipSync(gzipped, { maxOutputLength: maxTextBytes }).toString("utf8");
  } catch (cause) {
    throw new SnapshotContentError("SNAPSHOT_CONTENT_INVALID", "snapshot content is not valid gzip", { cause });
  }
}
