import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { locateServer } from "@netledger/testkit";
import { createLogger, type Logger } from "./logger.js";

/**
 * Helpers for this package's tests only (not exported from index.ts). Servers come from the
 * testkit (configured URLs, else a container or a private instance); every test names its
 * resources with {@link uniqueName}, and a database test takes a testkit world.
 */

/** URL of the NATS server the tests use. */
export async function natsUrl(): Promise<string> {
  return (await locateServer("nats")).url;
}

/** URL of the Redis server the tests use. */
export async function redisUrl(): Promise<string> {
  return (await locateServer("redis")).url;
}

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
