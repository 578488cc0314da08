import { createPrivateKey, sign } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import ssh2 from "ssh2";
import { fingerprintOf } from "./fingerprint.js";
import { generateEd25519 } from "./openssh-key.js";

/** One ed25519 host key, parsed once: ssh2 takes the parsed key, known_hosts takes the line. */
export interface HostKey {
  readonly parsed: ssh2.ParsedKey;
  /** `ssh-ed25519 AAAA...` without comment. */
  readonly publicLine: string;
  readonly fingerprint: string;
}

const KEY_FILE = "ssh_host_ed25519_key";

function parse(privateKey: string): HostKey {
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) throw parsed;
  // ssh2 signs every handshake from the PEM text, re-parsing it each time (~0.7 ms); a cached
  // KeyObject signs in ~0.05 ms, which matters with hundreds of devices handshaking at once.
  const keyObject = createPrivateKey(parsed.getPrivatePEM());
  parsed.sign = (data: Buffer | string, algo?: string): Buffer => sign(algo || null, Buffer.from(data), keyObject);
  const blob = parsed.getPublicSSH();
  return {
    parsed,
    publicLine: `${parsed.type} ${blob.toString("base64")}`,
    fingerprint: fingerprintOf(blob),
  };
}

async function writeKey(dir: string, comment: string): Promise<HostKey> {
  const pair = generateEd25519(comment);
  await mkdir(dir, { recursive: true });
  const path = join(dir, KEY_FILE);
  // Write-then-rename so a crash never leaves a half-written key that breaks the next start.
  await writeFile(`${path}.tmp`, pair.privateKey, { mode: 0o600 });
  await writeFile(`${path}.pub.tmp`, `${pair.publicKey}\n`);
  await rename(`${path}.tmp`, path);
  await rename(`${path}.pub.tmp`, `${path}.pub`);
  return parse(pair.privateKey);
}

/**
 * Persistent per-device host keys under `<stateDir>/<deviceName>/`, so a restarted fleet with
 * the same state dir presents the same keys (and a rotated key stays rotated).
 */
export class HostKeyStore {
  constructor(private readonly stateDir: string) {}

  /** The device's key, generated and persisted on first use. */
  async load(deviceName: string): Promise<HostKey> {
    const dir = join(this.stateDir, deviceName);
    try {
      return parse(await readFile(join(dir, KEY_FILE), "utf8"));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      return writeKey(dir, deviceName);
    }
  }

  /** Replaces the device's key with a fresh one and persists it. */
  rotate(deviceName: string): Promise<HostKey> {
    return writeKey(join(this.stateDir, deviceName), deviceName);
  }
}
