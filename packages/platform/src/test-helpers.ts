import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { createLogger, type Logger } from "./logger.js";

/**
 * Helpers for this package's tests only (not exported from index.ts). The shared servers are
 * the local ones of the brief; every test names its resources with {@link uniqueName}.
 */

export const NATS_URL = "nats://127.0.0.1:4222";
export const REDIS_URL = "redis://127.0.0.1:6379";
export const DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";

/** `t` + random hex: a valid wire namespace, stream-name and key-prefix part. */
export function uniqueName(): string {
  return `t${randomBytes(5).toString("hex")}`;
}

/** A logger writing to memory; `lines()` returns the parsed JSON lines, `text()` the raw output. */
export function memoryLogger(level = "debug"): { logger: Logger; lines(): Record<string, unknown>[]; text(): string } {
  const chunks: string[] = [];
  const logger = createLogger({ name: "test", level, destination: { write: (chunk: string) => chunks.push(chunk) } });
  return {
    logger,
    text: () => chunks.join(""),
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** A local TCP port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
