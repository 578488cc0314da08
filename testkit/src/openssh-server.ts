import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { findBinary } from "./binaries.js";
import { type ServerHandle, startChildServer } from "./child-server.js";
import { TestkitError } from "./errors.js";
import { tempDirRemovedAtExit } from "./exit-cleanup.js";
import { freePort } from "./free-port.js";

/** Host key types `ssh-keygen -t` takes. */
export type OpenSshKeyType = "ed25519" | "rsa" | "ecdsa";

export interface OpenSshServerOptions {
  /** Host keys the server presents (default ed25519). */
  readonly hostKeyTypes?: readonly OpenSshKeyType[];
  /** Extra `sshd_config` lines: `KexAlgorithms ...`, `AuthenticationMethods ...`, `MaxStartups 1`. */
  readonly config?: readonly string[];
  /**
   * Body of the forced command (a `/bin/sh` script): every session runs it, whatever the client
   * asked; the client's command is in `$SSH_ORIGINAL_COMMAND`.
   */
  readonly forcedCommand: string;
  /** OpenSSH public key lines accepted for the test user. */
  readonly authorizedKeys?: readonly string[];
}

export interface OpenSshHostKey {
  /** Type as the key blob names it: `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`. */
  readonly type: string;
  /** `SHA256:...`, as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string;
}

export interface OpenSshServer extends ServerHandle {
  readonly host: string;
  /** A user that exists only for this server (its own passwd, shadow and PAM files). */
  readonly username: string;
  readonly password: string;
  /** The host keys presented now. */
  hostKeys(): OpenSshHostKey[];
  /**
   * Restarts the server (same port) with new host keys of `hostKeyTypes`, or the current ones
   * kept plus newly generated ones for added types (`keep: true`), and optionally other config.
   */
  restartWith(change: {
    hostKeyTypes: readonly OpenSshKeyType[];
    keep: boolean;
    config?: readonly string[];
  }): Promise<void>;
}

const USER = "nl-device";
const PAM_SERVICE = ["auth required pam_unix.so", "account required pam_unix.so", "session required pam_permit.so", ""];

/** Where Debian puts sshd (not on a normal user's PATH). */
export function findSshd(): string | null {
  try {
    return findBinary("sshd", ["/usr/sbin", "/usr/local/sbin"]);
  } catch {
    return null;
  }
}

/**
 * A private OpenSSH `sshd` on a free 127.0.0.1 port, with its own host keys in a temp dir, a
 * forced command, and a user that exists only for it: sshd runs in a private mount namespace
 * (`unshare --mount`) where its own `passwd`, `shadow` and PAM service file are bind-mounted over
 * the system's, so password and keyboard-interactive (PAM) logins work without touching the
 * machine's users. Needs root (for sshd, `unshare` and the mounts) and Debian's `openssh-server`.
 */
export async function startOpenSshServer(options: OpenSshServerOptions): Promise<OpenSshServer> {
  const sshd = findSshd();
  if (sshd === null) {
    throw new TestkitError(
      "TESTKIT_BINARY_MISSING",
      "`sshd` not found; install it: sudo apt-get install -y openssh-server",
    );
  }
  if (process.getuid?.() !== 0) {
    throw new TestkitError("TESTKIT_SERVER_START_FAILED", "a private sshd with its own users needs root");
  }
  const dir = tempDirRemovedAtExit("sshd");
  chmodSync(dir, 0o755);
  const port = await freePort();
  const password = `pw-${Math.random().toString(36).slice(2, 12)}`;
  let keyTypes = [...(options.hostKeyTypes ?? ["ed25519"])];
  let config = [...(options.config ?? [])];
  let generation = 0;

  writeFileSync(join(dir, "routeros.sh"), `#!/bin/sh\n${options.forcedCommand}\n`, { mode: 0o755 });
  writeFileSync(join(dir, "authorized_keys"), `${(options.authorizedKeys ?? []).join("\n")}\n`, { mode: 0o644 });
  writeFileSync(join(dir, "passwd"), `${readFileSync("/etc/passwd", "utf8")}${USER}:x:65534:65534::${dir}:/bin/sh\n`);
  const hash = execFileSync("openssl", ["passwd", "-6", "-stdin"], { input: password }).toString().trim();
  writeFileSync(join(dir, "shadow"), `${readFileSync("/etc/shadow", "utf8")}${USER}:${hash}:19000:0:99999:7:::\n`, {
    mode: 0o640,
  });
  writeFileSync(join(dir, "pam-sshd"), PAM_SERVICE.join("\n"));

  const keyPath = (type: OpenSshKeyType) => join(dir, `ssh_host_${type}_key_${generation}`);
  const generateKeys = (types: readonly OpenSshKeyType[]) => {
    for (const type of types) {
      rmSync(keyPath(type), { force: true });
      rmSync(`${keyPath(type)}.pub`, { force: true });
      execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "", "-f", keyPath(type)]);
    }
  };
  const writeConfig = () => {
    const lines = [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      ...keyTypes.map((type) => `HostKey ${keyPath(type)}`),
      "PidFile none",
      "UsePAM yes",
      "PasswordAuthentication yes",
      "KbdInteractiveAuthentication yes",
      "PubkeyAuthentication yes",
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "StrictModes no",
      "PermitRootLogin no",
      "PrintMotd no",
      "LogLevel VERBOSE",
      `ForceCommand ${join(dir, "routeros.sh")}`,
      ...config,
    ];
    writeFileSync(join(dir, "sshd_config"), `${lines.join("\n")}\n`);
  };
  generateKeys(keyTypes);
  writeConfig();

  const mounts = [
    ["passwd", "/etc/passwd"],
    ["shadow", "/etc/shadow"],
    ["pam-sshd", "/etc/pam.d/sshd"],
  ].map(([file, target]) => `mount --bind ${join(dir, file!)} ${target}`);
  const script = ["set -e", "mkdir -p /run/sshd", ...mounts, `exec ${sshd} -D -e -f ${join(dir, "sshd_config")}`].join(
    "; ",
  );
  const handle = await startChildServer({
    label: "sshd",
    url: `ssh://127.0.0.1:${port}`,
    port,
    command: "unshare",
    args: ["--mount", "--propagation", "private", "sh", "-c", script],
    cwd: dir,
    logFile: join(dir, "sshd.log"),
    stopSignal: "SIGTERM",
    probe: () => probeSshBanner(port),
    startTimeoutMs: 15_000,
  });

  return {
    ...handle,
    host: "127.0.0.1",
    username: USER,
    password,
    hostKeys: () => keyTypes.map((type) => hostKeyOf(`${keyPath(type)}.pub`)),
    async restartWith(change) {
      await handle.stop();
      if (change.keep) {
        const added = change.hostKeyTypes.filter((type) => !keyTypes.includes(type));
        keyTypes = [...keyTypes, ...added];
        generateKeys(added);
      } else {
        generation++;
        keyTypes = [...change.hostKeyTypes];
        generateKeys(keyTypes);
      }
      if (change.config) config = [...change.config];
      writeConfig();
      await handle.start();
    },
  };
}

function hostKeyOf(publicKeyPath: string): OpenSshHostKey {
  if (!existsSync(publicKeyPath)) throw new TestkitError("TESTKIT_SERVER_START_FAILED", `no ${publicKeyPath}`);
  const [type = ""] = readFileSync(publicKeyPath, "utf8").split(" ");
  const printed = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", publicKeyPath]).toString();
  const fingerprint = /SHA256:[A-Za-z0-9+/]{43}/.exec(printed)?.[0];
  if (fingerprint === undefined)
    throw new TestkitError("TESTKIT_SERVER_START_FAILED", "ssh-keygen printed no fingerprint");
  return { type, fingerprint };
}

/** Resolves once the server sends its SSH identification line. */
function probeSshBanner(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const timer = setTimeout(() => socket.destroy(new Error("no SSH banner")), 2_000);
    socket.once("data", (data) => {
      clearTimeout(timer);
      socket.destroy();
      if (data.toString("latin1").startsWith("SSH-")) resolve();
      else reject(new Error("not an SSH banner"));
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
