import express, { type Request, type RequestHandler, type Response, type Router } from "express";
import { z } from "zod";
import type { Authenticator } from "../auth/authenticate.js";
import { type AuthContext, isPlatformAdmin, roleAtLeast, type TokenRole } from "../auth/roles.js";
import { ApiError, ForbiddenError, type IssueLocation, ValidationError } from "../errors.js";
import { issuesOf } from "./validation.js";

/**
 * Who may call a route:
 * - `{ role }`: a token of at least this role; when the path has `{tenantId}`, only of that
 *   tenant (another tenant's id answers 404) or the platform admin;
 * - `"platform"`: the platform admin (bootstrap token) only;
 * - `"public"`: no token.
 */
export type Access = { readonly role: TokenRole } | "platform" | "public";

/**
 * One documented response. `schema` describes a JSON body; `contentType` a non-JSON one. An
 * error status (4xx/5xx) with neither is a problem document (`application/problem+json`).
 */
export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** Default `application/json` when `schema` is set. */
  readonly contentType?: string;
  /** Documented response headers (name → description). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A request body: one schema (JSON), or a schema per accepted content type. */
export type BodySpec = z.ZodType | Readonly<Record<string, z.ZodType>>;
type BodyOf<B> = B extends z.ZodType
  ? z.output<B>
  : B extends Readonly<Record<string, z.ZodType>>
    ? z.output<B[keyof B]>
    : undefined;
type OutputOf<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

/** What a handler receives: validated inputs and the caller. */
export interface RouteContext<P, Q, B, H = undefined> {
  readonly params: OutputOf<P>;
  readonly query: OutputOf<Q>;
  /** The documented request headers ({@link RouteSpec.headers}), validated; absent ones undefined. */
  readonly headers: OutputOf<H>;
  readonly body: BodyOf<B>;
  /** The media type the body came as (`application/json`, `text/csv`...), undefined without a body. */
  readonly contentType: string | undefined;
  /** The caller; for `"public"` routes a placeholder that must not be used. */
  readonly auth: AuthContext;
  readonly req: Request;
  readonly res: Response;
}

/**
 * What a handler answers: JSON (`body`), text (`text` + `contentType`), or nothing (204).
 * A handler that wrote `res` itself returns undefined.
 */
export type Reply =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> }
  | {
      readonly status: number;
      readonly text: string;
      readonly contentType: string;
      readonly headers?: Readonly<Record<string, string>>;
    };

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

export interface RouteSpec<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  B extends BodySpec | undefined,
  H extends HeaderSchema | undefined = undefined,
> {
  readonly method: HttpMethod;
  /** OpenAPI path template, e.g. `/api/tenants/{tenantId}/devices/{deviceId}`: also the metric label. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly access: Access;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /**
   * Request headers the route reads, an object schema keyed by the header's canonical name
   * (`Idempotency-Key`): validated like the query (a bad value is a 400 naming the header) and
   * documented as `in: header` parameters. Headers it does not name are not checked.
   */
  readonly headers?: H;
  /** Largest accepted body in bytes (default: the app's `GATEWAY_BODY_LIMIT`). */
  readonly bodyLimit?: number;
  /** Success and route-specific error responses; the common problem responses are added for you. */
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Express middleware run after authentication, scoping and validation (e.g. a rate limiter). */
  readonly use?: readonly RequestHandler[];
  readonly handler: (ctx: RouteContext<P, Q, B, H>) => Promise<Reply | undefined>;
}

/** Request headers of a route: an object schema whose keys are header names. */
export type HeaderSchema = z.ZodObject;

/** A registered route, as the OpenAPI builder reads it. */
export type AnyRouteSpec = RouteSpec<
  z.ZodType | undefined,
  z.ZodType | undefined,
  BodySpec | undefined,
  HeaderSchema | undefined
>;

/** Checks that the caller may see tenant `tenantId` (throws NotFoundError otherwise). */
export type TenantGuard = (auth: AuthContext, tenantId: string) => Promise<void>;

export interface ApiOptions {
  authenticate: Authenticator;
  tenantGuard: TenantGuard;
  /** Default largest body in bytes. */
  bodyLimit: number;
}

/**
 * The route registry: {@link Api.route} mounts a route on the express router with
 * authentication, tenant scoping, role check and zod validation, and records it for the
 * OpenAPI document. One registration, one source of truth for behaviour and documentation.
 *
 * @example
 * api.route({
 *   method: "get", path: "/api/tenants/{tenantId}/devices/{deviceId}", operationId: "getDevice",
 *   summary: "A device", tags: ["devices"], access: { role: "viewer" },
 *   params: z.object({ tenantId: Id, deviceId: Id }),
 *   responses: { 200: { description: "the device", schema: DeviceSchema } },
 *   handler: async ({ params }) => ({ status: 200, body: await findDevice(params) }),
 * });
 */
export class Api {
  readonly router: Router = express.Router({ strict: true });
  readonly routes: AnyRouteSpec[] = [];

  constructor(private readonly options: ApiOptions) {}

  route<
    P extends z.ZodType | undefined,
    Q extends z.ZodType | undefined,
    B extends BodySpec | undefined = undefined,
    H extends HeaderSchema | undefined = undefined,
  >(spec: RouteSpec<P, Q, B, H>): void {
    if (this.routes.some((r) => r.method === spec.method && r.path === spec.path)) {
      throw new Error(`route registered twice: ${spec.method.toUpperCase()} ${spec.path}`);
    }
    if (this.routes.some((r) => r.operationId === spec.operationId)) {
      throw new Error(`operationId registered twice: ${spec.operationId}`);
    }
    this.routes.push(spec as unknown as AnyRouteSpec);
    const expressPath = spec.path.replace(/\{([A-Za-z0-9_]+)\}/g, ":$1");
    const bodies = normalizeBody(spec.body);
    const limit = spec.bodyLimit ?? this.options.bodyLimit;
    const parsers: RequestHandler[] = bodies === undefined ? [] : bodyParsers(Object.keys(bodies), limit);
    const prepare: RequestHandler = (req, res, next) => {
      this.prepare(spec, bodies, req, res).then((ctx) => {
        res.locals.ctx = ctx;
        next();
      }, next);
    };
    const run: RequestHandler = async (_req, res) => {
      const reply = await spec.handler(res.locals.ctx as RouteContext<P, Q, B, H>);
      if (reply !== undefined) send(res, reply);
    };
    const label: RequestHandler = (_req, res, next) => {
      res.locals.route = spec.path;
      next();
    };
    this.router[spec.method](expressPath, label, ...parsers, prepare, ...(spec.use ?? []), run);
  }

  private async prepare<
    P extends z.ZodType | undefined,
    Q extends z.ZodType | undefined,
    B extends BodySpec | undefined,
    H extends HeaderSchema | undefined,
  >(
    spec: RouteSpec<P, Q, B, H>,
    bodies: Readonly<Record<string, z.ZodType>> | undefined,
    req: Request,
    res: Response,
  ): Promise<RouteContext<P, Q, B, H>> {
    const auth =
      spec.access === "public" ? PUBLIC_CALLER : await this.options.authenticate(req.get("authorization") ?? undefined);
    res.locals.auth = auth;
    const params: Record<string, unknown> = parse(spec.params, req.params, "path");
    if (spec.access !== "public" && typeof params.tenantId === "string") {
      await this.options.tenantGuard(auth, params.tenantId);
    }
    if (spec.access === "platform" && !isPlatformAdmin(auth)) throw new ForbiddenError("platform admins only");
    if (typeof spec.access === "object" && !roleAtLeast(auth.role, spec.access.role)) {
      throw new ForbiddenError(`requires the ${spec.access.role} role or higher`);
    }
    // A route without a query schema takes no query parameters: unknown keys are a 400 too.
    const query = parse(spec.query ?? NO_QUERY, req.query, "query");
    const headers = spec.headers === undefined ? {} : parse(spec.headers, namedHeaders(spec.headers, req), "header");
    let body: unknown;
    let contentType: string | undefined;
    if (bodies !== undefined) {
      contentType = mediaTypeOf(req);
      const schema = contentType === undefined ? undefined : bodies[contentType];
      if (schema === undefined) {
        if (req.body === undefined && contentType === undefined && !hasBody(req)) {
          throw new ValidationError([{ location: "body", path: "(root)", message: "a request body is required" }]);
        }
        throw new ApiError("UNSUPPORTED_MEDIA_TYPE", `send the body as ${Object.keys(bodies).join(" or ")}`);
      }
      body = parse(schema, req.body, "body");
    }
    return { params, query, headers, body, contentType, auth, req, res } as RouteContext<P, Q, B, H>;
  }
}

const NO_QUERY = z.strictObject({});

const PUBLIC_CALLER: AuthContext = Object.freeze({ tokenId: "", tenantId: "", role: "viewer", tokenHash: "" });

/** Runs a zod schema over one part of the request; throws ValidationError naming paths and rules only. */
function parse(schema: z.ZodType | undefined, value: unknown, location: IssueLocation): Record<string, unknown> {
  if (schema === undefined) return {};
  const result = schema.safeParse(value, { reportInput: false });
  if (!result.success) throw new ValidationError(issuesOf(result.error, location));
  return result.data as Record<string, unknown>;
}

/** The values of the headers a schema names (case-insensitive), absent ones left out. */
function namedHeaders(schema: HeaderSchema, req: Request): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = req.get(name);
    if (value !== undefined) values[name] = value;
  }
  return values;
}

function normalizeBody(body: BodySpec | undefined): Readonly<Record<string, z.ZodType>> | undefined {
  if (body === undefined) return undefined;
  return isZodType(body) ? { "application/json": body } : body;
}

function isZodType(value: unknown): value is z.ZodType {
  return typeof value === "object" && value !== null && "safeParse" in value;
}

/** express 5 body parsers for the accepted media types; JSON is parsed, anything else kept as text. */
function bodyParsers(mediaTypes: readonly string[], limit: number): RequestHandler[] {
  return mediaTypes.map((type) =>
    type === "application/json"
      ? express.json({ limit, type, strict: false })
      : express.text({ limit, type, defaultCharset: "utf-8" }),
  );
}

function mediaTypeOf(req: Request): string | undefined {
  const header = req.get("content-type");
  if (header === undefined) return undefined;
  return header.split(";")[0]?.trim().toLowerCase() || undefined;
}

function hasBody(req: Request): boolean {
  return req.get("transfer-encoding") !== undefined || Number(req.get("content-length") ?? 0) > 0;
}

function send(res: Response, reply: Reply): void {
  if (reply.headers) res.set(reply.headers);
  res.status(reply.status);
  if ("text" in reply) {
    res.type(reply.contentType).send(reply.text);
  } else if (reply.body === undefined) {
    res.end();
  } else {
    res.json(reply.body);
  }
}

/** The caller of an authenticated request, for middleware in {@link RouteSpec.use}. */
export function authOf(res: Response): AuthContext {
  const auth = res.locals.auth as AuthContext | undefined;
  if (auth === undefined) throw new Error("authOf: no authenticated caller on this request");
  return auth;
}
