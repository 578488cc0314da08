import { type RouterOsFixture, realRouterOsExports } from "@netledger/testkit";

/**
 * Test support only (never imported by production code): the real RouterOS exports, which live
 * outside the repository. Gate suites with `{ skip: REAL_EXPORTS.skip }`; a fresh clone skips them
 * with one line, CI fails without them.
 */
export const REAL_EXPORTS = realRouterOsExports();

export type { RouterOsFixture };

/**
 * Every real `.rsc` export as a device sends it over SSH: the file, plus a final line end (in the
 * file's own style) when the file lost it. Some files were stored by tools that strip it; RouterOS
 * ends every export with CRLF, and the completeness check requires the final line end. Throws when
 * the folder is missing, so call it inside a gated suite.
 */
export function loadRouterOsFixtures(): RouterOsFixture[] {
  return REAL_EXPORTS.load().map((fixture) => ({ ...fixture, bytes: withFinalLineEnd(fixture.bytes) }));
}

/** `bytes` ending in a line end: unchanged when it has one, else with CRLF or LF as the file uses. */
export function withFinalLineEnd(bytes: Buffer): Buffer {
  const last = bytes.at(-1);
  if (last === 0x0a || last === 0x0d) return bytes;
  return Buffer.concat([bytes, Buffer.from(bytes.includes("\r\n") ? "\r\n" : "\n")]);
}
