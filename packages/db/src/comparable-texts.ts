import type { Driver } from "@netledger/contracts";
import { getDriver } from "@netledger/drivers";

/** A normalized text and the normalization version (`NORMALIZATION_VERSION`) it was made with. */
export interface VersionedText {
  readonly text: string;
  readonly normalizationVersion: number;
}

/**
 * Two normalized texts of one device made comparable across a normalization bump: when their
 * versions differ, the side with the older version is normalized again with the current driver
 * (normalizing is idempotent on its own output, so this only applies the rules added since).
 * Same versions: returned as they are. Pure.
 *
 * @example comparableTexts("routeros", { text: v1Text, normalizationVersion: 1 }, { text: v2Text, normalizationVersion: 2 })
 */
export function comparableTexts(driver: Driver, before: VersionedText, after: VersionedText): [string, string] {
  if (before.normalizationVersion === after.normalizationVersion) return [before.text, after.text];
  const { normalize } = getDriver(driver);
  return before.normalizationVersion < after.normalizationVersion
    ? [normalize(before.text), after.text]
    : [before.text, normalize(after.text)];
}
