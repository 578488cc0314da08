import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findFixturesDir, fixturesDirCandidate } from "@netledger/device-sim";

/** One real RouterOS export. Its content is never quoted in code, messages or test names. */
export interface RouterOsFixture {
  readonly name: string;
  readonly bytes: Buffer;
  /** From the file name's `__ros<version>.rsc` suffix. */
  readonly version: string;
}

/** The real public RouterOS exports a suite runs over, or why the suite is skipped. */
export interface RealExports {
  /** The folder, or null when it does not exist. */
  readonly dir: string | null;
  /** `false`, or the reason to hand to node:test's `skip` option (one visible line per suite). */
  readonly skip: false | string;
  /** Every `.rsc` export, sorted by name; throws when the folder has none. Call inside the suite. */
  load(): RouterOsFixture[];
  /** The `.rsc` file names, sorted; throws when the folder has none. */
  names(): string[];
}

/**
 * Gate for tests over the real RouterOS exports, which live outside the repository
 * (`NETLEDGER_FIXTURES_DIR`, default `../shared/fixtures/routeros`): a fresh clone has none, so
 * their suites are skipped with a line naming the folder. Under CI (`CI=true`) a missing folder
 * throws instead, so coverage cannot silently shrink.
 *
 * @example
 * const exports = realRouterOsExports();
 * describe("normalization over real exports", { skip: exports.skip }, () => {
 *   for (const fixture of exports.load()) it(fixture.name, () => { ... });
 * });
 */
export function realRouterOsExports(): RealExports {
  const dir = findFixturesDir();
  if (dir === null && process.env.CI === "true") {
    throw new Error(
      `CI=true but the real RouterOS exports are missing at ${fixturesDirCandidate()}: set NETLEDGER_FIXTURES_DIR`,
    );
  }
  const names = (): string[] => {
    if (dir === null) throw new Error(`RouterOS fixtures not found at ${fixturesDirCandidate()}`);
    const found = readdirSync(dir)
      .filter((name) => name.endsWith(".rsc"))
      .sort();
    if (found.length === 0) throw new Error(`no .rsc fixtures in ${dir}`);
    return found;
  };
  return {
    dir,
    skip:
      dir === null ? `real RouterOS exports not found at ${fixturesDirCandidate()} (NETLEDGER_FIXTURES_DIR)` : false,
    names,
    load: () =>
      names().map((name) => {
        const version = /__ros(.+)\.rsc$/.exec(name)?.[1];
        if (version === undefined) throw new Error(`fixture name without __ros<version>: ${name}`);
        return { name, bytes: readFileSync(join(dir!, name)), version };
      }),
  };
}
