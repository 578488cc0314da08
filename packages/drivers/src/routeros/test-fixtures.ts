import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultFixturesDir } from "@netledger/device-sim";

/**
 * Real RouterOS exports shared by the project's tests (read SOURCES.md there). Test support only:
 * their content must never be quoted in code, messages or test names; file names are fine.
 */
export const ROUTEROS_FIXTURES_DIR = defaultFixturesDir();

export interface RouterOsFixture {
  readonly name: string;
  /**
   * The export as a device sends it over SSH: the file, plus a final line end (in the file's own
   * style) when the file lost it. Some files were stored by tools that strip it; RouterOS ends
   * every export with CRLF, and the completeness check requires the final line end.
   */
  readonly bytes: Buffer;
  /** From the file name's `__ros<version>.rsc` suffix. */
  readonly version: string;
}

/** Every `.rsc` fixture; throws when there are none, so a missing folder cannot pass as "no cases". */
export function loadRouterOsFixtures(): RouterOsFixture[] {
  const names = readdirSync(ROUTEROS_FIXTURES_DIR).filter((name) => name.endsWith(".rsc"));
  if (names.length === 0) throw new Error(`no .rsc fixtures in ${ROUTEROS_FIXTURES_DIR}`);
  return names.sort().map((name) => {
    const version = /__ros(.+)\.rsc$/.exec(name)?.[1];
    if (version === undefined) throw new Error(`fixture name without __ros<version>: ${name}`);
    return { name, bytes: withFinalLineEnd(readFileSync(join(ROUTEROS_FIXTURES_DIR, name))), version };
  });
}

/** `bytes` ending in a line end: unchanged when it has one, else with CRLF or LF as the file uses. */
export function withFinalLineEnd(bytes: Buffer): Buffer {
  const last = bytes.at(-1);
  if (last === 0x0a || last === 0x0d) return bytes;
  return Buffer.concat([bytes, Buffer.from(bytes.includes("\r\n") ? "\r\n" : "\n")]);
}
