import { z } from "zod";
import { PROBLEM_MEDIA_TYPE, ProblemSchema } from "./problem.js";
import type { AnyRouteSpec, BodySpec } from "./route.js";

/** The parts of an OpenAPI 3.1 document this builder writes. */
export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description?: string };
  jsonSchemaDialect: string;
  servers?: { url: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
}
export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security?: Record<string, string[]>[];
  parameters: {
    name: string;
    in: "path" | "query" | "header";
    required: boolean;
    description?: string;
    schema: JsonSchema;
  }[];
  requestBody?: { required: true; content: Record<string, { schema: JsonSchema }> };
  responses: Record<
    string,
    { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema: JsonSchema }> }
  >;
}
export type JsonSchema = Record<string, unknown>;

const PROBLEM_REF = { $ref: "#/components/schemas/Problem" };
const COMMON_PROBLEMS: Readonly<Record<number, string>> = {
  400: "invalid path parameter, query or body (code VALIDATION_FAILED or MALFORMED_BODY)",
  401: "missing, unknown or revoked bearer token (UNAUTHENTICATED)",
  403: "the token's role does not allow this (FORBIDDEN)",
  404: "unknown resource, or one of another tenant (NOT_FOUND)",
  413: "body too large (PAYLOAD_TOO_LARGE)",
  415: "unsupported body media type (UNSUPPORTED_MEDIA_TYPE)",
  429: "rate limit exceeded (RATE_LIMITED)",
  500: "internal error (INTERNAL_ERROR)",
  503: "a dependency is unavailable (SERVICE_UNAVAILABLE, RATE_LIMITER_UNAVAILABLE)",
};

/** JSON Schema (2020-12, OpenAPI 3.1's dialect) of a zod schema; `io: "input"` for requests. */
export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" });
  return rest as JsonSchema;
}

function parametersOf(
  schema: z.ZodType | undefined,
  where: "path" | "query" | "header",
): OpenApiOperation["parameters"] {
  if (schema === undefined) return [];
  const json = jsonSchemaOf(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === "path" || (json.required ?? []).includes(name),
      ...(typeof description === "string" && { description }),
      schema: rest,
    };
  });
}

function bodyOf(body: BodySpec | undefined): OpenApiOperation["requestBody"] {
  if (body === undefined) return undefined;
  const bodies = "safeParse" in body ? { "application/json": body as z.ZodType } : (body as Record<string, z.ZodType>);
  return {
    required: true,
    content: Object.fromEntries(
      Object.entries(bodies).map(([type, schema]) => [type, { schema: jsonSchemaOf(schema, "input") }]),
    ),
  };
}

function operationOf(route: AnyRouteSpec): OpenApiOperation {
  const responses: OpenApiOperation["responses"] = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    if (Number(status) >= 400 && spec.schema === undefined && spec.contentType === undefined) {
      responses[status] = { description: spec.description, content: { [PROBLEM_MEDIA_TYPE]: { schema: PROBLEM_REF } } };
      continue;
    }
    const contentType = spec.contentType ?? (spec.schema ? "application/json" : undefined);
    responses[status] = {
      description: spec.description,
      ...(spec.headers && {
        headers: Object.fromEntries(
          Object.entries(spec.headers).map(([name, description]) => [
            name,
            { description, schema: { type: "string" } },
          ]),
        ),
      }),
      ...(contentType && {
        content: { [contentType]: { schema: spec.schema ? jsonSchemaOf(spec.schema, "output") : { type: "string" } } },
      }),
    };
  }
  const common = Object.entries(COMMON_PROBLEMS).filter(([status]) => {
    if (route.access === "public") return !["401", "403"].includes(status);
    if (route.body === undefined) return !["413", "415"].includes(status);
    return true;
  });
  for (const [status, description] of common) {
    responses[status] ??= { description, content: { [PROBLEM_MEDIA_TYPE]: { schema: PROBLEM_REF } } };
  }
  const pathParams = parametersOf(route.params, "path");
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description && { description: route.description }),
    tags: [...route.tags],
    ...(route.access !== "public" && { security: [{ bearer: [] }] }),
    parameters: [...pathParams, ...parametersOf(route.query, "query"), ...parametersOf(route.headers, "header")],
    ...(route.body !== undefined && { requestBody: bodyOf(route.body) }),
    responses,
  };
}

/**
 * The OpenAPI 3.1 document of the registered routes, generated from the same zod schemas that
 * validate requests (`io: "input"`) and describe responses (`io: "output"`). Every error
 * response is `application/problem+json` with the shared `Problem` schema.
 */
export function buildOpenApiDocument(routes: readonly AnyRouteSpec[], info: { version: string }): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, OpenApiOperation>)[route.method] = operationOf(route);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "NetLedger API",
      version: info.version,
      description:
        "Back up network device configurations and track their changes. Authenticate with `Authorization: Bearer <token>`. Errors are RFC 9457 problem documents with a stable `code`.",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    paths,
    components: {
      schemas: { Problem: jsonSchemaOf(ProblemSchema, "output") },
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "NetLedger API token (nl_...)" } },
    },
  };
}
