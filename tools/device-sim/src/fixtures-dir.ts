import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Where the real RouterOS exports (`*.rsc`) are looked for: `NETLEDGER_FIXTURES_DIR` when set,
 * else `shared/fixtures/routeros` beside the repository (where the project's own machines keep
 * it). The folder is not part of the repository: a fresh clone has none.
 */
export function fixturesDirCandidate(): string {
  const fromEnv = process.env.NETLEDGER_FIXTURES_DIR;
  if (fromEnv && fromEnv.length > 0) return fromEnv;
  return fileURLToPath(new URL("../../../../shared/fixtures/routeros", import.meta.url));
}

/** The fixtures folder when it exists, else null (demo and benchmarks then use synthetic devices). */
export function findFixturesDir(): string | null {
  const dir = fixturesDirCandidate();
  return existsSync(dir) ? dir : null;
}

/**
 * The fixtures folder; throws naming the place looked at when it does not exist, so a caller that
 * needs real exports never runs on an empty folder.
 */
export function defaultFixturesDir(): string {
  const dir = findFixturesDir();
  if (dir === null) {
    throw new Error(
      `RouterOS fixtures not found at ${fixturesDirCandidate()}: set NETLEDGER_FIXTURES_DIR to the fixtures folder`,
    );
  }
  return dir;
}
