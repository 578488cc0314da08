import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Logger } from "./logger.js";

/** A readiness check: true when the dependency it watches is usable. Throwing counts as false. */
export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface OpsServerOptions {
  /** 0 picks a free port (tests); the bound port is {@link OpsServer.port}. */
  port: number;
  /** Default: every interface, so kubelet probes and Prometheus reach it. */
  host?: string;
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  logger: Logger;
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** A check slower than this answers false: a probe must not hang on a stuck dependency. */
const CHECK_TIMEOUT_MS = 2_000;

/**
 * Operations endpoints on their own port, apart from any public API:
 * - `GET /healthz`: 200 while the process runs (liveness);
 * - `GET /readyz`: 200 when every check is true, else 503; body `{"<check>": true|false, ...}`;
 * - `GET /metrics`: the registry in Prometheus text format.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { registry, checks, logger } = options;
  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      logger.error({ err, path: req.url }, "ops endpoint failed");
      if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", "internal error\n");
      else res.destroy();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return send(res, 405, "text/plain; charset=utf-8", "method not allowed\n");
    }
    switch (new URL(req.url ?? "/", "http://ops").pathname) {
      case "/healthz":
        return send(res, 200, "text/plain; charset=utf-8", "ok\n");
      case "/readyz": {
        const results = await runChecks(checks, logger);
        const ready = Object.values(results).every(Boolean);
        return send(res, ready ? 200 : 503, "application/json", `${JSON.stringify(results)}\n`);
      }
      case "/metrics":
        return send(res, 200, registry.contentType, await registry.metrics());
      default:
        return send(res, 404, "text/plain; charset=utf-8", "not found\n");
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (err) => logger.error({ err }, "ops server error"));
  const { port } = server.address() as AddressInfo;
  logger.info({ port }, "ops server listening");
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  res.end(body);
}

async function runChecks(checks: Record<string, ReadinessCheck>, logger: Logger): Promise<Record<string, boolean>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, boolean]> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
        });
        return [name, (await Promise.race([Promise.resolve().then(check), timeout])) === true];
      } catch (err) {
        logger.warn({ err, check: name }, "readiness check threw");
        return [name, false];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(entries);
}
