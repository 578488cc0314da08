import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";

/** `.netledger/demo.json`: what scripts need to call the local API. */
export const DemoFileSchema = z.object({ gatewayUrl: z.string(), tenantId: z.string(), token: z.string() });
export type DemoFile = z.infer<typeof DemoFileSchema>;

/** The token an earlier start wrote, or null (no file, or not ours). */
export async function readDemoToken(file: string): Promise<string | null> {
  try {
    const parsed = DemoFileSchema.safeParse(JSON.parse(await readFile(file, "utf8")));
    return parsed.success ? parsed.data.token : null;
  } catch {
    return null;
  }
}

/** Writes the file atomically, readable by the user only (it holds an admin token). */
export async function writeDemoFile(file: string, demo: DemoFile): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.tmp`;
  await writeFile(temp, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
}
