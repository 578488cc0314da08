import assert from "node:assert/strict";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type ObjectStore, Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { SealError, SnapshotContentError } from "./errors.js";
import { createSealer, generateKey, parseKeyRing } from "./seal.js";
import {
  deviceSealAad,
  openSealedText,
  openSnapshotContent,
  readSealedSnapshotContent,
  type SnapshotBlobStore,
  SnapshotGzip,
  sealSnapshotContent,
} from "./snapshot-content.js";
import { natsUrl } from "./test-helpers.js";

const sealer = createSealer(parseKeyRing(`k1:${generateKey()}`));
const aad = deviceSealAad(randomUUID(), randomUUID());
const secretLine = "/user add name=admin password=hunter2-secret";

/** Text that gzip cannot shrink much, so its sealed form exceeds the inline limit. */
function bulkyText(bytes: number): string {
  return `${secretLine}\n${randomBytes(Math.ceil(bytes / 2)).toString("hex")}\n`;
}

describe("snapshot content", () => {
  let nc: NatsConnection;
  let blobs: ObjectStore;
  const bucket = `test_snapshot_content_${randomBytes(4).toString("hex")}`;

  before(async () => {
    nc = await connect({ servers: await natsUrl() });
    blobs = await new Objm(nc).create(bucket, { storage: "memory" });
  });
  after(async () => {
    await new Objm(nc).open(bucket).then((os) => os.destroy());
    await nc.close();
  });

  it("keeps small content inline, sealed, and opens it back", async () => {
    const text = `# header\n${secretLine}\n`;
    const content = await sealSnapshotContent({ text, sealer, aad, blobs, bucket, name: "unused" });
    assert.equal(content.kind, "inline");
    assert.doesNotMatch(JSON.stringify(content), /hunter2/);
    assert.equal(await openSnapshotContent(content, { sealer, aad, blobs }), text);
    assert.equal(await blobs.info("unused"), null, "nothing stored for inline content");
  });

  it("stores large content in the object store, never in the clear", async () => {
    const text = bulkyText(3 * 1024 * 1024);
    const name = `t/d/${randomUUID()}`;
    const content = await sealSnapshotContent({ text, sealer, aad, blobs, bucket, name });
    assert.equal(content.kind, "object");
    assert.ok(content.kind === "object" && content.bucket === bucket && content.name === name);
    const stored = Buffer.from((await blobs.getBlob(name))!);
    assert.equal(stored.length, content.sealedBytes);
    assert.equal(stored.includes("hunter2"), false);
    assert.equal(await openSnapshotContent(content, { sealer, aad, blobs }), text);
  });

  it("opens back multi-slice text with characters outside the BMP on every boundary", async () => {
    // Odd lengths move the surrogate pairs across the slice boundaries gzip is fed at.
    const text = `${"a".repeat(65_535)}${"\u{1F600}é\n".repeat(70_000)}`;
    const content = await sealSnapshotContent({ text, sealer, aad, blobs, bucket, name: `t/d/${randomUUID()}` });
    assert.equal(await openSnapshotContent(content, { sealer, aad, blobs }), text);
  });

  it("seals text given as UTF-8 pieces cut anywhere exactly as the whole text, below and above the sync gzip size", async () => {
    const memory = new Map<string, Uint8Array>();
    const fake: SnapshotBlobStore = {
      putBlob: async (meta, data) => memory.set(meta.name, data),
      getBlob: async (name) => memory.get(name) ?? null,
    };
    const line = 'add comment="caf\u00e9 \u{1F600}" a=1 \\\r\n    b=2\r\n';
    for (const text of [
      `# small\n${line}`,
      `# large\n${line.repeat(40_000)}${randomBytes(300_000).toString("hex")}\n`,
    ]) {
      const bytes = Buffer.from(text, "utf8");
      // Cuts inside a multi-byte character, inside "\r\n", inside a continuation "\\\r\n", and at even steps (every 7 bytes of the small one).
      const cuts = [1, bytes.indexOf("\u00e9") + 1, bytes.indexOf("\r\n") + 1, bytes.indexOf("\\\r") + 1];
      const pieces = [
        bytes.subarray(0, 1),
        ...cutAt(
          bytes.subarray(1),
          cuts.map((c) => c - 1),
          Math.max(7, Math.floor(bytes.length / 300)),
        ),
      ];
      assert.equal(Buffer.concat(pieces).toString("utf8"), text);
      const fromText = await sealSnapshotContent({ text, sealer, aad, blobs: fake, bucket, name: "a" });
      const fromPieces = await sealSnapshotContent({ text: pieces, sealer, aad, blobs: fake, bucket, name: "b" });
      assert.equal(fromPieces.kind, fromText.kind);
      assert.equal(await openSnapshotContent(fromPieces, { sealer, aad, blobs: fake }), text);
      // Same gzip bytes under the seal (the IV differs per seal, the plaintext does not).
      const gzipOf = async (content: typeof fromText) =>
        sealer.open(
          content.kind === "inline" ? Buffer.from(content.sealedGzipBase64, "base64") : memory.get(content.name)!,
          aad,
        );
      assert.deepEqual(await gzipOf(fromPieces), await gzipOf(fromText));
    }
  });

  it("gzips a large text while it is written in odd pieces: same text and sha256 once sealed and opened", async () => {
    const lines = Array.from(
      { length: 60_000 },
      (_, i) => `add address=10.${i % 256}.${i >> 8}.1/32 comment="café ${i}"`,
    );
    const text = `${secretLine}
${lines.join("\n")}
`;
    const bytes = Buffer.from(text, "utf8");
    assert.ok(bytes.length > 2 * 1024 * 1024);
    const gzip = new SnapshotGzip();
    // Odd piece sizes, some splitting a character, one piece crossing the synchronous threshold.
    for (let start = 0, i = 0; start < bytes.length; i++) {
      const end = Math.min(bytes.length, start + [1, 7_919, 65_537, 3, 131_071, 2][i % 6]!);
      gzip.write(bytes.subarray(start, end));
      start = end;
    }
    assert.equal(gzip.streaming, true);
    assert.equal(gzip.bytes, bytes.length);
    const gzipped = await gzip.end();
    assert.ok(typeof gzipped !== "string" && "gzipped" in gzipped);
    assert.ok(gzipped.gzipped.length < bytes.length / 4, `gzipped ${gzipped.gzipped.length}`);
    const name = `t/d/${randomUUID()}`;
    const content = await sealSnapshotContent({
      text: gzipped,
      sealer,
      aad,
      blobs,
      bucket,
      name,
      inlineLimitBytes: 1024,
    });
    assert.equal(content.kind, "object");
    // What the ingestor does: the sealed bytes as stored, opened at rest.
    const opened = openSealedText(sealer, aad, await readSealedSnapshotContent(content, blobs));
    assert.equal(opened, text);
    const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");
    assert.equal(sha256(opened), sha256(bytes));
    assert.equal(await openSnapshotContent(content, { sealer, aad, blobs }), text);
    const oneShot = await sealSnapshotContent({ text, sealer, aad, blobs, bucket, name: `t/d/${randomUUID()}` });
    assert.equal(await openSnapshotContent(oneShot, { sealer, aad, blobs }), opened);
  });

  it("keeps a text up to the synchronous gzip size as pieces, sealed as before", async () => {
    const text = `${secretLine}
${"set a=b\n".repeat(100_000)}`;
    const bytes = Buffer.from(text, "utf8");
    assert.ok(bytes.length <= 1024 * 1024);
    const gzip = new SnapshotGzip();
    gzip.write(bytes.subarray(0, 12_345));
    gzip.write(bytes.subarray(12_345));
    assert.equal(gzip.streaming, false);
    const pieces = await gzip.end();
    assert.ok(Array.isArray(pieces) && pieces.length === 2);
    const [fromPieces, fromText] = [
      await sealSnapshotContent({ text: pieces, sealer, aad, blobs, bucket, name: "unused" }),
      await sealSnapshotContent({ text, sealer, aad, blobs, bucket, name: "unused" }),
    ];
    assert.ok(fromPieces.kind === "inline" && fromText.kind === "inline");
    assert.deepEqual(
      sealer.open(Buffer.from(fromPieces.sealedGzipBase64, "base64"), aad),
      sealer.open(Buffer.from(fromText.sealedGzipBase64, "base64"), aad),
    );
  });

  it("destroys the gzip stream of a text that will not be sealed", async () => {
    const gzip = new SnapshotGzip();
    gzip.write(Buffer.alloc(1024 * 1024 + 1, 0x61));
    assert.equal(gzip.streaming, true);
    gzip.destroy();
    assert.equal(gzip.streaming, true);
    await assert.rejects(gzip.end());
  });

  it("refuses another device's AAD, a missing object and a short object", async () => {
    const inline = await sealSnapshotContent({ text: secretLine, sealer, aad, blobs, bucket, name: "x" });
    await assert.rejects(
      openSnapshotContent(inline, { sealer, aad: deviceSealAad(randomUUID(), randomUUID()), blobs }),
      (err: unknown) => err instanceof SealError && err.code === "SEAL_TAMPERED",
    );
    const memory = new Map<string, Uint8Array>();
    const fake: SnapshotBlobStore = {
      putBlob: async (meta, data) => memory.set(meta.name, data),
      getBlob: async (name) => memory.get(name) ?? null,
    };
    const big = await sealSnapshotContent({
      text: "x".repeat(100),
      sealer,
      aad,
      blobs: fake,
      bucket,
      name: "n1",
      inlineLimitBytes: 10,
    });
    assert.equal(big.kind, "object");
    memory.set("n1", memory.get("n1")!.subarray(1));
    await assert.rejects(
      openSnapshotContent(big, { sealer, aad, blobs: fake }),
      (err: unknown) => err instanceof SnapshotContentError && err.code === "SNAPSHOT_CONTENT_INVALID",
    );
    memory.clear();
    await assert.rejects(
      openSnapshotContent(big, { sealer, aad, blobs: fake }),
      (err: unknown) => err instanceof SnapshotContentError && err.code === "SNAPSHOT_BLOB_MISSING",
    );
  });
});

/** `bytes` cut at each of `cuts` (sorted or not) and then every `step` bytes. */
function cutAt(bytes: Buffer, cuts: readonly number[], step: number): Buffer[] {
  const at = new Set(cuts.filter((c) => c > 0 && c < bytes.length));
  for (let i = step; i < bytes.length; i += step) at.add(i);
  const sorted = [...at].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const end of sorted) {
    pieces.push(bytes.subarray(start, end));
    start = end;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}
