import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { generateKey, parseKeyRing } from "@netledger/platform";
import { DevStackError } from "./errors.js";

/**
 * The dev stack's `NETLEDGER_SEAL_KEYS`: read from `file`, or generated once and written there
 * (mode 0600) so restarts can open what earlier runs sealed. Never printed.
 */
export async function loadOrCreateSealKeys(file: string): Promise<{ spec: string; created: boolean }> {
  let spec: string | undefined;
  try {
    spec = (await readFile(file, "utf8")).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  if (spec !== undefined) {
    try {
      parseKeyRing(spec);
    } catch (cause) {
      throw new DevStackError(
        "DEV_STACK_SEAL_KEYS_INVALID",
        `${file} is not a key ring (id:base64key); delete it to start over`,
        {
          cause,
        },
      );
    }
    return { spec, created: false };
  }
  const fresh = `dev${new Date().toISOString().slice(0, 10).replaceAll("-", "")}:${generateKey()}`;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${fresh}\n`, { mode: 0o600, flag: "wx" });
  return { spec: fresh, created: true };
}
