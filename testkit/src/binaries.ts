import { accessSync, constants, readdirSync, realpathSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
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

/**
 * `initdb` and `postgres` of one installation: `postgres` is taken from the directory `initdb`
 * really lives in (symlinks resolved), so a data dir is never started by another major version.
 */
export function findPostgresBinaries(dirs?: readonly string[]): { initdb: string; postgres: string } {
  const initdb = findBinary("initdb", dirs);
  return { initdb, postgres: findBinary("postgres", [dirname(realpathSync(initdb))]) };
}
