/**
 * TEMPORARY stand-in for the packages/drivers API being written on branch wt/entities
 * (`textDiff`, `DeviceDriver.structuredChanges`, `StructuredChange`). Removed when that lands.
 */
import type { Driver } from "@netledger/contracts";
import { getDriver } from "@netledger/drivers";
import { structuredPatch } from "diff";

export interface StructuredChange {
  readonly kind: "added" | "removed" | "modified" | "moved";
  readonly path: string;
  readonly identity: string;
  readonly summary: string;
  readonly before: Readonly<Record<string, string>> | null;
  readonly after: Readonly<Record<string, string>> | null;
  readonly secretChanged: boolean;
}

export function textDiff(before: string, after: string): { unified: string; added: number; removed: number } {
  const patch = structuredPatch("before", "after", before, after, "", "", { context: 3 });
  let added = 0;
  let removed = 0;
  const out: string[] = ["--- before", "+++ after"];
  for (const hunk of patch.hunks) {
    out.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
    for (const line of hunk.lines) {
      if (line.startsWith("+")) added++;
      else if (line.startsWith("-")) removed++;
      out.push(line);
    }
  }
  return { unified: patch.hunks.length ? `${out.join("\n")}\n` : "", added, removed };
}

export function structuredChangesOf(_driver: Driver, _beforeFull: string, _afterFull: string): StructuredChange[] {
  return [];
}

export function redactFor(driver: Driver, text: string): string {
  return getDriver(driver).redactSecrets(text);
}
