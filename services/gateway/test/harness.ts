import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Database, TokenRole } from "@netledger/db";
import { createLogger, createMetricsRegistry, type Logger, parseConfig } from "@netledger/platform";
import type { World } from "@netledger/testkit";
import type { Kysely } from "kysely";
import type { OpenApiDocument } from "../src/api/openapi.js";
import { createApp, type GatewayApp, type GatewayDeps } from "../src/app.js";
import { type GatewayConfig, gatewayConfigSchema } from "../src/config.js";
import { createRateLimiterFactory } from "../src/rate-limit.js";
import { type CheckedResponse, createResponseChecker } from "./openapi-check.js";

/** A response as tests read it: parsed JSON (or text), headers, status. Already checked against /openapi.json. */
// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely; the OpenAPI check guards their shape
export interface ApiResponse<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  /** The raw body text, for "no secret in the response" checks. */
  readonly text: string;
}

export interface RequestOptions {
  readonly token?: string | undefined;
  readonly body?: unknown;
  /** Raw body (sent as is, with `contentType`). */
  readonly rawBody?: string;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}

/** The gateway app in this process, on a free port, over a testkit world. */
export interface TestGateway {
  readonly url: string;
  readonly bootstrapToken: string;
  readonly deps: GatewayDeps;
  readonly app: GatewayApp;
  readonly openapi: OpenApiDocument;
  /** Checks one response against the OpenAPI document (done by `request` already). */
  readonly check: (response: CheckedResponse) => void;
  /** Sends one request and checks the response against the OpenAPI document. */
  // biome-ignore lint/suspicious/noExplicitAny: as above
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /** A new tenant (via the platform admin). */
  createTenant(name?: string): Promise<string>;
  /** A new token of `role` in `tenantId` (via the platform admin). */
  createToken(tenantId: string, role: TokenRole): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the gateway app in-process over `world` (its database, NATS namespace, Redis prefix and
 * seal keys), with a fresh bootstrap token and `overrides` on top of the config. Every request
 * made through `request` is checked against `/openapi.json`.
 *
 * @example
 * const gw = await startTestGateway(world);
 * const tenantId = await gw.createTenant();
 * const admin = await gw.createToken(tenantId, "admin");
 * const res = await gw.request("GET", `/api/tenants/${tenantId}/devices`, { token: admin });
 */
export async function startTestGateway(
  world: World,
  overrides: Partial<Record<keyof GatewayConfig, string>> = {},
  options: {
    /** Default: silent (or TEST_LOG_LEVEL). Pass one writing to a stream to inspect log lines. */
    logger?: Logger;
    /** Default: the world's database. */
    db?: Kysely<Database>;
  } = {},
): Promise<TestGateway> {
  const bootstrapToken = `boot_${randomBytes(24).toString("base64url")}`;
  const config = parseConfig(gatewayConfigSchema, { ...world.env(), GATEWAY_PORT: "0", OPS_PORT: "0", ...overrides });
  const logger =
    options.logger ?? createLogger({ name: "gateway-test", level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const deps: GatewayDeps = {
    config,
    db: options.db ?? world.db,
    nc: world.nc,
    wire: world.wire,
    sealer: world.sealer,
    logger,
    registry: createMetricsRegistry("gateway"),
    bootstrapToken,
    rateLimiter: createRateLimiterFactory({
      redis: world.redis,
      keyPrefix: world.keyPrefix,
      onStoreError: config.RATE_LIMIT_ON_STORE_ERROR,
      logger,
    }),
  };
  const app = createApp(deps);
  const server: Server = createServer(app.app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const check = createResponseChecker(app.openapi);
  let counter = 0;

  const request = async <T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) {
      body = options.rawBody;
      headers["content-type"] = options.contentType ?? "text/plain";
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] = options.contentType ?? "application/json";
    }
    const res = await fetch(`${url}${path}`, { method, headers, body });
    const text = await res.text();
    const contentType = res.headers.get("content-type");
    const parsed = text === "" ? undefined : /json/.test(contentType ?? "") ? JSON.parse(text) : text;
    check({ method, path, status: res.status, contentType, body: parsed });
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  };

  const created = async (res: ApiResponse, what: string) => {
    if (res.status !== 201) throw new Error(`${what}: ${res.status} ${res.text}`);
    return res.body;
  };

  return {
    url,
    bootstrapToken,
    deps,
    app,
    openapi: app.openapi,
    check,
    request,
    createTenant: async (name = `tenant-${process.pid}-${++counter}-${randomBytes(3).toString("hex")}`) =>
      (await created(await request("POST", "/api/tenants", { token: bootstrapToken, body: { name } }), "createTenant"))
        .id,
    createToken: async (tenantId, role) =>
      (
        await created(
          await request("POST", `/api/tenants/${tenantId}/tokens`, {
            token: bootstrapToken,
            body: { name: `${role}-${++counter}`, role },
          }),
          "createToken",
        )
      ).token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
