import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Folder of real RouterOS exports used by tests, demo and benchmarks: `NETLEDGER_FIXTURES_DIR`
 * when set, else `shared/fixtures/routeros` beside the repository (where the project and CI keep
 * it). Throws naming both places when neither exists, so a test never passes on an empty folder.
 */
export function defaultFixturesDir(): string {
  const fromEnv = process.env.NETLEDGER_FIXTURES_DIR;
  const besideRepo = fileURLToPath(new URL("../../../../shared/fixtures/routeros", import.meta.url));
  const dir = fromEnv && fromEnv.length > 0 ? fromEnv : besideRepo;
  if (!existsSync(dir)) {
    throw new Error(`RouterOS fixtures not found at ${dir}: set NETLEDGER_FIXTURES_DIR to the fixtures folder`);
  }
  return dir;
}
