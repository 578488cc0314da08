import { accessSync, constants, readdirSync, realpathSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { testkitConfig } from "./config.js";
import { TestkitError } from "./errors.js";

/** Debian/Ubuntu package providing each server binary the testkit may start. */
const APT_PACKAGES: Record<string, string> = {
  "nats-server": "nats-server",
  "redis-server": "redis-server",
  initdb: "postgresql",
  postgres: "postgresql",
  sshd: "openssh-server",
};

const POSTGRES_LIB = "/usr/lib/postgresql";

/** The apt command that installs `binary`. */
export function aptInstallHint(binary: string): string {
  return `sudo apt-get install -y ${APT_PACKAGES[binary] ?? binary}`;
}

/**
 * Directories searched for server binaries: `PATH`, then Debian's versioned PostgreSQL dirs
 * (`/usr/lib/postgresql/<version>/bin`, newest first), which are not on PATH by default.
 */
export function defaultSearchDirs(): string[] {
  const fromPath = testkitConfig().PATH.split(delimiter).filter(Boolean);
  let versions: string[] = [];
  try {
    versions = readdirSync(POSTGRES_LIB).sort((a, b) => Number(b) - Number(a) || b.localeCompare(a));
  } catch {
    // no Debian PostgreSQL packages
  }
  return [...fromPath, ...versions.map((v) => join(POSTGRES_LIB, v, "bin"))];
}

/**
 * Absolute path of an executable named `name` in `dirs`. Throws TESTKIT_BINARY_MISSING naming
 * the binary, where it looked and the apt package to install.
 */
export function findBinary(name: string, dirs: readonly string[] = defaultSearchDirs()): string {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  const where = dirs.length ? `in ${dirs.join(", ")}` : "(no directories to search)";
  throw new TestkitError(
    "TESTKIT_BINARY_MISSING",
    `\`${name}\` not found ${where}; install it: ${aptInstallHint(name)}`,
  );
}

/** Where `scripts/provision-nats.sh` extracts Debian trixie's nats-server 2.10 (git-ignored). */
export const PROVISIONED_NATS_SERVER = fileURLToPath(
  new URL("../../.cache/nats-server-2.10/root/usr/sbin/nats-server", import.meta.url),
);

/**
 * The nats-server private servers run: `NETLEDGER_NATS_SERVER` when set, else the 2.10 binary
 * `scripts/provision-nats.sh` provisioned, else `nats-server` on PATH (which may be older than
 * the supported 2.10 floor: the machine's shared server is Debian bookworm's 2.9.10).
 */
export function findNatsServer(dirs?: readonly string[]): string {
  const configured = testkitConfig().NETLEDGER_NATS_SERVER;
  if (configured) {
    if (isExecutable(configured)) return configured;
    throw new TestkitError("TESTKIT_BINARY_MISSING", `NETLEDGER_NATS_SERVER (${configured}) is not an executable file`);
  }
  if (isExecutable(PROVISIONED_NATS_SERVER)) return PROVISIONED_NATS_SERVER;
  return findBinary("nats-server", dirs);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `initdb` and `postgres` of one installation: `postgres` is taken from the directory `initdb`
 * really lives in (symlinks resolved), so a data dir is never started by another major version.
 */
export function findPostgresBinaries(dirs?: readonly string[]): { initdb: string; postgres: string } {
  const initdb = findBinary("initdb", dirs);
  return { initdb, postgres: findBinary("postgres", [dirname(realpathSync(initdb))]) };
}
