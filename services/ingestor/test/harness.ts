import { Writable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Wire } from "@netledger/contracts";
import { createLogger, createMetricsRegistry, type Logger } from "@netledger/platform";
import type { World } from "@netledger/testkit";
import { type IngestorConfig, loadIngestorConfig } from "../src/config.js";
import { type Ingestion, startIngestion } from "../src/ingestion.js";

/** Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

/** A logger whose lines are kept in memory (to search them for secrets). */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ name: "ingestor", level: "debug", destination }), lines };
}

/** The ingestor's config for a test world, with `overrides` on top of `world.env()`. */
export function worldConfig(world: World, overrides: Record<string, string> = {}): Readonly<IngestorConfig> {
  return loadIngestorConfig({
    ...world.env(),
    OPS_PORT: "0",
    INGEST_RETRY_BASE_MS: "100",
    INGEST_RETRY_MAX_MS: "1000",
    ...overrides,
  });
}

/** Ingestion running in this process against a test world; stop it with `ingestion.stop()`. */
export async function startWorldIngestion(
  world: World,
  options: { logger?: Logger; overrides?: Record<string, string> } = {},
): Promise<Ingestion> {
  return startIngestion({
    config: worldConfig(world, options.overrides),
    wire: world.wire,
    nc: world.nc,
    db: world.db,
    logger: options.logger ?? createLogger({ name: "ingestor", level: "warn" }),
    registry: createMetricsRegistry("ingestor"),
  });
}

/** Every message of the events stream (or `stream`) on `subject` (a filter with wildcards is fine), oldest first. */
export async function streamMessages(
  nc: NatsConnection,
  wire: Wire,
  subject: string,
  stream: string = wire.streams.events.name,
): Promise<{ subject: string; data: Uint8Array }[]> {
  const jsm = await jetstreamManager(nc);
  const name = stream;
  const info = await jsm.streams.info(name);
  const pattern = new RegExp(`^${subject.replace(/\./g, "\\.").replace(/\*/g, "[^.]+").replace(/>$/, ".+")}$`);
  const out: { subject: string; data: Uint8Array }[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const msg = await jsm.streams.getMessage(name, { seq }).catch(() => null);
    if (msg && pattern.test(msg.subject)) out.push({ subject: msg.subject, data: msg.data });
  }
  return out;
}
