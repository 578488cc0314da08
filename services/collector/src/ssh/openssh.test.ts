import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { DeviceTarget } from "@netledger/contracts";
import { getDriver } from "@netledger/drivers";
import { findSshd, type OpenSshServer, startOpenSshServer } from "@netledger/testkit";
import ssh2 from "ssh2";
import type { BackupLimits } from "../backup/backup-types.js";
import { collectExport, normalizedText } from "../backup/collect-export.js";
import { createSsh2Connector } from "./ssh2-connector.js";

/**
 * The collector against a real OpenSSH server (Debian `openssh-server`), started per suite on a
 * private port with its own host keys and a forced command that answers like RouterOS. Runs in CI
 * (CI=true) always; elsewhere it is skipped, with one line, only when sshd is not installed.
 */
const skip =
  process.env.CI === "true"
    ? false
    : findSshd() === null
      ? "sshd not installed (apt-get install -y openssh-server)"
      : process.getuid?.() !== 0
        ? "a private sshd with its own test user needs root"
        : false;

const driver = getDriver("routeros");
const limits: BackupLimits = {
  // Group-exchange key agreement on large primes is slow on a loaded CI box; this is not a speed test.
  connectTimeoutMs: 30_000,
  commandTimeoutMs: 5_000,
  commandDeadlineMs: 30_000,
  exportMaxBytes: 8 * 1024 * 1024,
  secondReadMinBytes: 64 * 1024,
  publishTimeoutMs: 1_000,
};

/** A RouterOS v7 export of about 150 KB with secrets, CRLF line ends, generated here. */
function generatedExport(): string {
  const lines = ["# 2026-11-30 12:00:00 by RouterOS 7.16.1", "# software id = TEST-0001", "#", "/interface bridge"];
  lines.push("add name=bridge1", "/ip firewall address-list");
  for (let i = 0; i < 3000; i++) lines.push(`add address=10.${i >> 8}.${i & 255}.0/24 list=block comment=entry-${i}`);
  lines.push("/ppp secret", "add name=alice password=open-sesame-1 service=pptp", "/system identity", "set name=edge");
  return `${lines.join("\r\n")}\r\n`;
}

const EXPORT = generatedExport();
const EXPECTED = driver.normalize(EXPORT);
let exportDir = "";

function forcedCommand(): string {
  const file = join(exportDir, "export.rsc");
  return [
    'case "$SSH_ORIGINAL_COMMAND" in',
    `  "/export show-sensitive"|"/export") cat ${file} ;;`,
    '  *) echo "bad command name $SSH_ORIGINAL_COMMAND (line 1 column 1)" ;;',
    "esac",
  ].join("\n");
}

function target(server: OpenSshServer, extra: Partial<DeviceTarget> = {}): DeviceTarget {
  return {
    name: "openssh",
    host: server.host,
    port: server.port,
    driver: "routeros",
    credentials: "v1:k:unused",
    hostKeyFingerprint: null,
    softwareVersion: "7.16.1",
    ...extra,
  };
}

function backup(
  server: OpenSshServer,
  options: {
    device?: Partial<DeviceTarget>;
    password?: string;
    privateKey?: string;
    legacyKex?: boolean;
  } = {},
) {
  return collectExport({
    ssh: createSsh2Connector({ legacyKex: options.legacyKex ?? true }),
    driver,
    device: target(server, options.device),
    credentials: {
      username: server.username,
      ...(options.privateKey === undefined ? { password: options.password ?? server.password } : {}),
      ...(options.privateKey !== undefined && { privateKey: options.privateKey }),
    },
    limits,
    signal: new AbortController().signal,
  });
}

describe("collector against a real OpenSSH sshd", { skip }, () => {
  const clientKey = ssh2.utils.generateKeyPairSync("ed25519");
  const servers: OpenSshServer[] = [];
  const start = async (options: Omit<Parameters<typeof startOpenSshServer>[0], "forcedCommand">) => {
    const server = await startOpenSshServer({ ...options, forcedCommand: forcedCommand() });
    servers.push(server);
    return server;
  };

  before(() => {
    exportDir = mkdtempSync(join(tmpdir(), "netledger-openssh-export-"));
    chmodSync(exportDir, 0o755);
    writeFileSync(join(exportDir, "export.rsc"), EXPORT, { mode: 0o644 });
  });
  after(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(exportDir, { recursive: true, force: true });
  });

  it("backs up with a password, with a key, and refuses a wrong password", { timeout: 60_000 }, async () => {
    const server = await start({ authorizedKeys: [clientKey.public] });
    const byPassword = await backup(server);
    assert.equal(normalizedText(byPassword), EXPECTED);
    assert.equal(byPassword.hostKeyFingerprint, server.hostKeys()[0]!.fingerprint);
    assert.equal(byPassword.hostKeyType, "ssh-ed25519");
    assert.equal(normalizedText(await backup(server, { privateKey: clientKey.private })), EXPECTED);
    await assert.rejects(backup(server, { password: "wrong" }), { code: "SSH_AUTH_FAILED" });
  });

  it("answers keyboard-interactive with the password when the server offers nothing else", {
    timeout: 60_000,
  }, async () => {
    const server = await start({
      config: ["AuthenticationMethods keyboard-interactive", "PasswordAuthentication no"],
    });
    assert.equal(normalizedText(await backup(server)), EXPECTED);
    await assert.rejects(backup(server, { password: "wrong" }), { code: "SSH_AUTH_FAILED" });
  });

  it("negotiates legacy key exchange with an old-style server, only when enabled", { timeout: 60_000 }, async () => {
    const legacy = (kex: string) => [
      `KexAlgorithms ${kex}`,
      "HostKeyAlgorithms ssh-rsa",
      "Ciphers aes128-ctr",
      "MACs hmac-sha1",
    ];
    const server = await start({ hostKeyTypes: ["rsa"], config: legacy("diffie-hellman-group14-sha1") });
    const collected = await backup(server);
    assert.equal(normalizedText(collected), EXPECTED);
    assert.equal(collected.hostKeyType, "ssh-rsa");
    await assert.rejects(backup(server, { legacyKex: false }), { code: "SSH_CONNECTION_LOST" });
    await server.restartWith({
      hostKeyTypes: ["rsa"],
      keep: true,
      config: legacy("diffie-hellman-group-exchange-sha1"),
    });
    assert.equal(normalizedText(await backup(server)), EXPECTED);
  });

  it("keeps a pin on the RSA key when the server adds an ed25519 key, and refuses a rotated key", {
    timeout: 60_000,
  }, async () => {
    const server = await start({ hostKeyTypes: ["rsa"] });
    const rsa = server.hostKeys()[0]!;
    await server.restartWith({ hostKeyTypes: ["ed25519"], keep: true });
    assert.deepEqual(
      server.hostKeys().map((k) => k.type),
      ["ssh-rsa", "ssh-ed25519"],
    );
    for (const pinnedKeyType of [undefined, "ssh-rsa"]) {
      const collected = await backup(server, {
        device: { hostKeyFingerprint: rsa.fingerprint, ...(pinnedKeyType && { hostKeyType: pinnedKeyType }) },
      });
      assert.equal(collected.hostKeyFingerprint, rsa.fingerprint, `pinned type ${pinnedKeyType}`);
      assert.equal(collected.hostKeyType, "ssh-rsa");
    }
    const unpinned = await backup(server);
    assert.equal(unpinned.hostKeyType, "ssh-ed25519", "without a pin the preferred type is taken");

    await server.restartWith({ hostKeyTypes: ["rsa", "ed25519"], keep: false });
    const rotated = server.hostKeys();
    await assert.rejects(
      backup(server, { device: { hostKeyFingerprint: rsa.fingerprint, hostKeyType: "ssh-rsa" } }),
      (err: { code?: string; observedHostKeyFingerprint?: string }) => {
        assert.equal(err.code, "SSH_HOSTKEY_MISMATCH");
        assert.ok(rotated.some((k) => k.fingerprint === err.observedHostKeyFingerprint));
        return true;
      },
    );
  });

  it("calls a connection dropped at MaxStartups unreachable (retryable)", { timeout: 60_000 }, async () => {
    const server = await start({ config: ["MaxStartups 1", "LoginGraceTime 30"] });
    const holder = await openUnauthenticated(server.port);
    try {
      await assert.rejects(backup(server), { code: "SSH_UNREACHABLE" });
    } finally {
      holder.destroy();
    }
  });
});

/**
 * A TCP connection that got the server's SSH banner and then says nothing: one unauthenticated
 * startup. Retried while sshd still counts an earlier connection (its readiness probe) and drops
 * this one ("Exceeded MaxStartups" or a bare close).
 */
async function openUnauthenticated(port: number): Promise<Socket> {
  for (let attempt = 0; ; attempt++) {
    const socket = await new Promise<Socket | null>((resolve) => {
      const s = connect({ host: "127.0.0.1", port });
      s.once("data", (data) => {
        if (data.toString("latin1").startsWith("SSH-")) resolve(s);
        else {
          s.destroy();
          resolve(null);
        }
      });
      s.once("close", () => resolve(null));
      s.once("error", () => resolve(null));
    });
    if (socket !== null) return socket;
    if (attempt >= 50) throw new Error("sshd never accepted the holding connection");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
