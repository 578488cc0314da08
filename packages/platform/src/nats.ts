import type { NatsConnection, Status } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { backoffDelay, sleep } from "./backoff.js";
import { NatsUnavailableError } from "./errors.js";
import type { Logger } from "./logger.js";
import { redactUrlCredentials } from "./redact.js";

export interface ConnectNatsOptions {
  servers: string[];
  /** Connection name shown by the server's monitoring (`collector`, `ingestor-7f9c`, ...). */
  name: string;
  logger: Logger;
  /** Connection attempts at start-up before giving up with NatsUnavailableError; default 5. */
  startAttempts?: number;
  /**
   * False skips the client's capture of a stack trace at every request and JetStream publish (an
   * Error made in advance, so a later failure shows its caller): a hot path that publishes per
   * message saves that cost, and its failures still carry their own stack and cause. Default true.
   */
  asyncTraces?: boolean;
}

const START_BACKOFF = { baseMs: 250, maxMs: 5_000 };

/**
 * Connects to NATS with bounded retries at start (exponential back-off), so a pod whose NATS is
 * missing fails visibly and gets restarted, then reconnects forever once connected (a NATS
 * restart must not kill services). Status changes are logged without credentials.
 *
 * @throws NatsUnavailableError (`NATS_UNAVAILABLE`) when no attempt succeeded.
 */
export async function connectNats(options: ConnectNatsOptions): Promise<NatsConnection> {
  const { logger, name } = options;
  const attempts = Math.max(1, options.startAttempts ?? 5);
  const servers = options.servers.map(redactUrlCredentials);
  for (let attempt = 1; ; attempt++) {
    try {
      const nc = await connect({
        servers: options.servers,
        name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 2_000,
        timeout: 5_000,
        noAsyncTraces: options.asyncTraces === false,
      });
      logger.info({ servers, server: nc.getServer(), attempt }, "connected to NATS");
      void logStatus(nc, logger);
      void nc.closed().then((err) => {
        if (err) logger.error({ err }, "NATS connection closed with an error");
        else logger.info("NATS connection closed");
      });
      return nc;
    } catch (cause) {
      if (attempt >= attempts) {
        logger.error({ servers, attempts, err: cause }, "NATS unavailable, giving up");
        throw new NatsUnavailableError(attempts, { cause });
      }
      const delayMs = backoffDelay(attempt, START_BACKOFF);
      logger.warn({ servers, attempt, attempts, delayMs, err: cause }, "NATS connection failed, retrying");
      await sleep(delayMs);
    }
  }
}

async function logStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  try {
    for await (const status of nc.status()) {
      const line = describeStatus(status);
      if (line) logger[line.level](line.fields, line.msg);
    }
  } catch (err) {
    logger.warn({ err }, "NATS status stream ended");
  }
}

type StatusLine = { level: "debug" | "info" | "warn" | "error"; fields: Record<string, unknown>; msg: string };

/** What to log for a connection status event; `null` for events not worth a line. */
export function describeStatus(status: Status): StatusLine | null {
  switch (status.type) {
    case "disconnect":
      return { level: "warn", fields: { server: redactUrlCredentials(status.server) }, msg: "NATS disconnected" };
    case "reconnect":
      return { level: "info", fields: { server: redactUrlCredentials(status.server) }, msg: "NATS reconnected" };
    case "reconnecting":
      return { level: "debug", fields: {}, msg: "NATS reconnecting" };
    case "update":
      return { level: "info", fields: { added: status.added, deleted: status.deleted }, msg: "NATS cluster update" };
    case "ldm":
      return {
        level: "warn",
        fields: { server: redactUrlCredentials(status.server) },
        msg: "NATS server in lame-duck mode",
      };
    case "error":
      return { level: "error", fields: { err: status.error }, msg: "NATS async error" };
    case "ping":
      return { level: "debug", fields: { pendingPings: status.pendingPings }, msg: "NATS ping outstanding" };
    case "staleConnection":
      return { level: "warn", fields: {}, msg: "NATS connection stale" };
    case "forceReconnect":
      return { level: "info", fields: {}, msg: "NATS forced reconnect" };
    case "slowConsumer":
      return {
        level: "warn",
        fields: { subject: status.sub.getSubject(), pending: status.pending },
        msg: "NATS slow consumer",
      };
    case "close":
      return null; // logged with its cause by the closed() watcher
  }
}
