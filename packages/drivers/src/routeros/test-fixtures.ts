import { type RouterOsFixture, realRouterOsExports } from "@netledger/testkit";

/**
 * Test support only (never imported by production code): the real RouterOS exports, which live
 * outside the repository. Gate suites with `{ skip: REAL_EXPORTS.skip }`; a fresh clone skips them
 * with one line, CI fails without them.
 */
export const REAL_EXPORTS = realRouterOsExports();

export type { RouterOsFixture };

/** Every real `.rsc` export; throws when the folder is missing, so call it inside a gated suite. */
export function loadRouterOsFixtures(): RouterOsFixture[] {
  return REAL_EXPORTS.load();
}
