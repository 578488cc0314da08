import type { NatsConnection } from "@nats-io/nats-core";
import type { Wire } from "@netledger/contracts";
import type { Database } from "@netledger/db";
import type { Logger, Sealer } from "@netledger/platform";
import express, { type Express } from "express";
import helmet from "helmet";
import type { Kysely } from "kysely";
import type { Registry } from "prom-client";
import { z } from "zod";
import { httpMetrics } from "./api/http-metrics.js";
import { buildOpenApiDocument, type OpenApiDocument } from "./api/openapi.js";
import { errorHandler, notFoundHandler } from "./api/problem.js";
import { requestLog } from "./api/request-log.js";
import { Api } from "./api/route.js";
import { createAuthenticator } from "./auth/authenticate.js";
import { createTenantGuard } from "./auth/tenant-scope.js";
import type { GatewayConfig } from "./config.js";
import { ApiError } from "./errors.js";
import type { RateLimiterFactory } from "./rate-limit.js";
import { registerRoutes } from "./routes/index.js";

/** Everything the routes use; built by `main.ts` (or a test) and handed to {@link createApp}. */
export interface GatewayDeps {
  readonly config: Readonly<GatewayConfig>;
  readonly db: Kysely<Database>;
  readonly nc: NatsConnection;
  readonly wire: Wire;
  readonly sealer: Sealer;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly rateLimiter: RateLimiterFactory;
  /** The platform-admin token, if any. */
  readonly bootstrapToken: string | undefined;
}

export interface GatewayApp {
  readonly app: Express;
  readonly api: Api;
  readonly openapi: OpenApiDocument;
}

/**
 * The REST API as an express app: request ids and logs, security headers, latency metrics,
 * every route of `routes/` (validated, authenticated, tenant-scoped), `/openapi.json`, then
 * problem+json errors.
 */
export function createApp(deps: GatewayDeps): GatewayApp {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");
  app.use(requestLog(deps.logger));
  app.use(helmet());
  app.use(httpMetrics(deps.registry));

  const api = new Api({
    authenticate: createAuthenticator({ db: deps.db, bootstrapToken: deps.bootstrapToken, logger: deps.logger }),
    tenantGuard: createTenantGuard(deps.db),
    bodyLimit: deps.config.GATEWAY_BODY_LIMIT,
  });
  registerRoutes(api, deps);
  api.route({
    method: "get",
    path: "/openapi.json",
    operationId: "openapi",
    summary: "This OpenAPI 3.1 document",
    tags: ["meta"],
    access: "public",
    responses: { 200: { description: "the document", schema: z.record(z.string(), z.unknown()) } },
    handler: async () => ({ status: 200, body: openapi }),
  });
  const openapi = buildOpenApiDocument(api.routes, { version: "0.1.0" });
  // No CORS: browsers' preflights (and any OPTIONS) get a problem, not express's automatic answer.
  app.options(/.*/, (_req, _res, next) => next(new ApiError("METHOD_NOT_ALLOWED", "OPTIONS is not supported")));
  app.use(api.router);
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return { app, api, openapi };
}
