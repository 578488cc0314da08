import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { FixturesError } from "../errors.js";
import { describeFixture, type FixtureFile } from "./fixture-config.js";

/**
 * The `.rsc` files of a fixtures folder in name order; device N serves file N mod count. Each
 * file is read once however many devices serve it.
 */
export async function loadFixtures(dir: string, deviceCount: number): Promise<FixtureFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(".rsc")).sort();
  } catch (err) {
    throw new FixturesError(`cannot read fixtures folder ${dir}`, { cause: err });
  }
  if (names.length === 0) throw new FixturesError(`no .rsc exports in ${dir}`);
  const used = names.slice(0, Math.min(names.length, deviceCount));
  return Promise.all(
    used.map(async (name) => describeFixture(name, withFinalLineEnd(await readFile(join(dir, name), "utf8")))),
  );
}

/**
 * RouterOS ends every export with CRLF; some stored files lost their final line end. A device
 * serving such a file adds it back (in the file's style), as the real device printed it.
 */
function withFinalLineEnd(text: string): string {
  if (text === "" || /[\r\n]$/.test(text)) return text;
  return text + (text.includes("\r\n") ? "\r\n" : "\n");
}
