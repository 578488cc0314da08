import { execFile, execFileSync } from "node:child_process";
import { chownSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { findPostgresBinaries } from "./binaries.js";
import { type ServerHandle, startChildServer } from "./child-server.js";
import { TestkitError } from "./errors.js";
import { tempDirRemovedAtExit } from "./exit-cleanup.js";
import { freePort } from "./free-port.js";
import { probePostgres } from "./probes.js";

const run = promisify(execFile);

/** Accounts tried, in order, to run PostgreSQL when the test process is root. */
const SERVER_USERS = ["postgres", "nobody"];

/**
 * A private PostgreSQL: `initdb` (trust auth, superuser `postgres`) in a temp dir, then
 * `postgres` on a free port, tuned for tests (fsync off). `url` points at database `postgres`.
 * Binaries come from PATH or /usr/lib/postgresql/<version>/bin.
 *
 * initdb and postgres refuse to run as root: when the test process is root, both run as the
 * `postgres` system user (else `nobody`) through spawn's uid/gid, which is what
 * `runuser -u postgres` would do, without a wrapper process between us and the postmaster.
 */
export async function startPostgres(): Promise<ServerHandle> {
  const { initdb, postgres } = findPostgresBinaries();
  const user = serverUser();
  const dir = tempDirRemovedAtExit("postgres");
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, "data");
  try {
    await run(initdb, ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "-N"], {
      cwd: dir,
      ...(user ?? {}),
    });
  } catch (err) {
    const output = `${(err as { stderr?: string }).stderr ?? ""}`.trim().split("\n").slice(-10).join("\n");
    throw new TestkitError("TESTKIT_SERVER_START_FAILED", `initdb failed:\n${output}`, { cause: err });
  }
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return startChildServer({
    label: "postgres",
    url,
    port,
    command: postgres,
    args: [
      ...["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1"],
      ...["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
      ...["-c", "shared_buffers=32MB", "-c", "max_connections=200"],
    ],
    cwd: dir,
    logFile: join(dir, "postgres.log"),
    ...(user ? { user } : {}),
    // SIGINT = "fast" shutdown: ends sessions, checkpoints, exits.
    stopSignal: "SIGINT",
    probe: () => probePostgres(url),
    // After kill(), the old backends may still hold shared memory for a moment.
    startAttempts: 5,
  });
}

function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of SERVER_USERS) {
    try {
      const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
      return { uid, gid };
    } catch {
      // no such user
    }
  }
  throw new TestkitError(
    "TESTKIT_SERVER_START_FAILED",
    `PostgreSQL cannot run as root and none of the users ${SERVER_USERS.join(", ")} exists; create one (useradd -r postgres)`,
  );
}
