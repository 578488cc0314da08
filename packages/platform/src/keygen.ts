/**
 * Prints a fresh `id:base64key` entry for NETLEDGER_SEAL_KEYS.
 *   npm run -s -w @netledger/platform keygen [-- <key-id>]
 * Default id: `k` + today's date (k20260131). To rotate, put the new entry first and keep the old ones.
 */
import { generateKey, parseKeyRing } from "./seal.js";

const id = process.argv[2] ?? `k${new Date().toISOString().slice(0, 10).replaceAll("-", "")}`;
const entry = `${id}:${generateKey()}`;
try {
  parseKeyRing(entry); // rejects an id the ring would not accept
  process.stdout.write(`${entry}\n`);
} catch {
  process.stderr.write("keygen: key id must be 1-64 of A-Z, a-z, 0-9, _ or -\n");
  process.exitCode = 2;
}
