import { randomUUID } from "node:crypto";
import type { Logger } from "@netledger/platform";
import type { RequestHandler } from "express";
import { pinoHttp } from "pino-http";

const INCOMING_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * One log line per request with a request id (`x-request-id` when the client sent a sane one,
 * else a uuid; echoed back in the response header). Logged: method, route template, path
 * without query, status, time. Never logged: headers (Authorization), query strings, bodies.
 */
export function requestLog(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req, res) => {
      const incoming = req.headers["x-request-id"];
      const id = typeof incoming === "string" && INCOMING_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader("x-request-id", id);
      return id;
    },
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? "error" : res.statusCode >= 400 ? "info" : "info",
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split("?")[0]?.slice(0, 256),
      }),
      // pino-http hands a wrapper whose statusCode can be null; the raw response has the real one.
      res: (res: { statusCode: number | null; raw?: { statusCode: number } }) => ({
        status: res.raw?.statusCode ?? res.statusCode,
      }),
    },
    customProps: (_req, res) => ({ route: (res as { locals?: { route?: string } }).locals?.route ?? "unmatched" }),
    quietReqLogger: true,
  }) as unknown as RequestHandler;
}
